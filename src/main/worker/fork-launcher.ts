import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ParentMessage, WorkerHandle, WorkerLauncher, WorkerMessage } from './protocol';

/**
 * child_process.fork launcher for the CLI and `lab serve`. Runs the TypeScript entry through tsx when the lab
 * runs from source, the built worker otherwise.
 */
export function forkLauncher(entry?: string): WorkerLauncher {
  const ts = fileURLToPath(new URL('./training-worker.ts', import.meta.url));
  const js = fileURLToPath(new URL('./worker.js', import.meta.url));
  const script = entry ?? (existsSync(ts) ? ts : js);
  const execArgv = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return (): WorkerHandle => {
    const child = fork(script, [], { execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
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
