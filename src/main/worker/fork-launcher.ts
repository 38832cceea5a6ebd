import { fork } from 'node:child_process';
import path from 'node:path';
import { builtMainFile, labRoot, runningFromSource, sourceEntryBootstrap } from '../install-paths';
import type { ParentMessage, WorkerHandle, WorkerLauncher, WorkerMessage } from './protocol';

/**
 * child_process.fork launcher for the CLI and `lab serve`. The built lab forks out/main/worker.js; from sources
 * (tests) the TypeScript entry runs through a bootstrap that loads tsx from the lab's own node_modules. Both are
 * absolute paths, so the lab works from any working directory.
 */
export function workerCommand(entry?: string): { script: string; args: string[] } {
  const target = entry ?? (runningFromSource ? path.join(labRoot(), 'src', 'main', 'worker', 'training-worker.ts') : builtMainFile('worker.js'));
  return target.endsWith('.ts') ? { script: sourceEntryBootstrap(), args: [target] } : { script: target, args: [] };
}

export function forkLauncher(entry?: string): WorkerLauncher {
  const { script, args } = workerCommand(entry);
  return (): WorkerHandle => {
    const child = fork(script, args, { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
    // The worker's console (tfjs notices, warnings) goes to stderr so --json output on stdout stays clean.
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
    return {
      send: (message: ParentMessage) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as WorkerMessage)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
      kill: () => {
        if (child.exitCode === null) child.kill('SIGTERM');
      },
    };
  };
}
