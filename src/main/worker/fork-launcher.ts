import { fork } from 'node:child_process';
import path from 'node:path';
import { builtMainFile, labRoot, runningFromSource, sourceEntryBootstrap } from '../install-paths';
import type { ParentMessage, WorkerHandle, WorkerLauncher, WorkerMessage } from './protocol';
import { supervise, type LifecycleOptions } from './supervisor';

/**
 * child_process.fork launcher for the CLI and `lab serve`. The built lab forks out/main/worker.js; from sources
 * (tests) the TypeScript entry runs through a bootstrap that loads tsx from the lab's own node_modules. Both are
 * absolute paths, so the lab works from any working directory.
 */
export function workerCommand(entry?: string): { script: string; args: string[] } {
  const target = entry ?? (runningFromSource ? path.join(labRoot(), 'src', 'main', 'worker', 'training-worker.ts') : builtMainFile('worker.js'));
  return target.endsWith('.ts') ? { script: sourceEntryBootstrap(), args: [target] } : { script: target, args: [] };
}

export function forkLauncher(entry?: string, lifecycle: Partial<LifecycleOptions> = {}): WorkerLauncher {
  const { script, args } = workerCommand(entry);
  return (): WorkerHandle => {
    const child = fork(script, args, { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
    // The worker's console (tfjs notices, warnings) goes to stderr so --json output on stdout stays clean; the
    // supervisor keeps stderr's last lines for the crash reason.
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
    return supervise({
      send: (message: ParentMessage) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as WorkerMessage)),
      onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal)),
      onStderr: (listener) => child.stderr?.on('data', (chunk: Buffer) => listener(chunk.toString('utf8'))),
      kill: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
    }, lifecycle);
  };
}
