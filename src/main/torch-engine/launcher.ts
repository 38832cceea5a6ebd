/**
 * Starts the ranks of a PyTorch job and watches them. Locally: one process per rank with the torchrun-style
 * variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, MASTER_PORT=a free port) and one torch
 * thread each unless OMP_NUM_THREADS says otherwise. With a command template: the user's command (ssh, srun, a
 * scheduler), once per rank when it names {rank}, else once for the whole job. Rank 0's stdout carries the LAB
 * lines. When a rank fails, the others are stopped (a gloo/NCCL peer would otherwise wait for it for minutes);
 * stop() sends SIGTERM to every rank, then SIGKILL to any still running after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { LineSplitter } from './lab-lines';
import { tail } from './python';

export interface LaunchOptions {
  python: string;
  jobDir: string;
  processes: number;
  device: 'auto' | 'cpu' | 'cuda';
  resume: boolean;
  launcher: 'local' | 'template';
  commandTemplate?: string;
  /** Seconds between SIGTERM and SIGKILL. */
  graceS?: number;
}

export interface RankExit {
  rank: number;
  code: number | null;
  signal: string | null;
  /** The last lines the rank wrote to stderr. */
  stderrTail: string;
}

/** A free TCP port on the loopback interface, for MASTER_PORT. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A value as one shell word. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function labjobArgs(opts: Pick<LaunchOptions, 'jobDir' | 'device' | 'resume'>): string[] {
  return ['-m', 'labjob', 'run', '--job', opts.jobDir, '--device', opts.device, opts.resume ? '--resume' : '--fresh'];
}

/**
 * `python -m labjob …`, except that on Linux the rank first asks the kernel to end it when the lab's training process
 * dies (PR_SET_PDEATHSIG), so a lab killed outright leaves no rank training on; then it runs labjob exactly as -m would.
 */
export function localRankArgs(opts: Pick<LaunchOptions, 'jobDir' | 'device' | 'resume'>): string[] {
  const [, , ...rest] = labjobArgs(opts);
  if (process.platform !== 'linux') return labjobArgs(opts);
  const boot = "import ctypes, runpy, signal\ntry:\n    ctypes.CDLL(None).prctl(1, signal.SIGKILL)\nexcept Exception:\n    pass\nrunpy.run_module('labjob', run_name='__main__', alter_sys=True)";
  return ['-c', boot, ...rest];
}

/** The user's template with its placeholders filled in (each value quoted for the shell). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? (name === 'resume' ? values[name]! : shellQuote(values[name]!)) : whole));
}

export class RankGroup {
  private readonly children: { rank: number; child: ChildProcess; stderr: string; exited: boolean }[] = [];
  private readonly exits: RankExit[] = [];
  private stopping = false;
  private killTimer: NodeJS.Timeout | null = null;
  readonly done: Promise<RankExit[]>;
  private resolveDone!: (exits: RankExit[]) => void;
  /** The first rank that ended with a failure (not 0, not 3 = stopped) while the others ran. */
  firstFailure: RankExit | null = null;

  constructor(
    private readonly opts: LaunchOptions,
    private readonly port: number,
    private readonly onLine: (line: string) => void,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    const world = opts.processes;
    if (opts.launcher === 'template') {
      const template = opts.commandTemplate ?? '';
      const perRank = template.includes('{rank}');
      for (let rank = 0; rank < (perRank ? world : 1); rank++) {
        const command = fillTemplate(template, {
          rank: String(rank),
          worldSize: String(world),
          masterAddr: process.env.LAB_MASTER_ADDR ?? '127.0.0.1',
          masterPort: String(port),
          jobDir: opts.jobDir,
          python: opts.python,
          device: opts.device,
          resume: opts.resume ? '--resume' : '--fresh',
        });
        this.start(rank, spawn('/bin/sh', ['-c', command], { env: this.env(rank, world), stdio: ['ignore', 'pipe', 'pipe'] }));
      }
    } else {
      for (let rank = 0; rank < world; rank++) {
        this.start(rank, spawn(opts.python, localRankArgs(opts), { env: this.env(rank, world), stdio: ['ignore', 'pipe', 'pipe'] }));
      }
    }
  }

  private env(rank: number, world: number): NodeJS.ProcessEnv {
    return {
      ...process.env,
      PYTHONPATH: this.opts.jobDir,
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1',
      RANK: String(rank),
      LOCAL_RANK: String(rank),
      WORLD_SIZE: String(world),
      MASTER_ADDR: '127.0.0.1',
      MASTER_PORT: String(this.port),
    };
  }

  private start(rank: number, child: ChildProcess): void {
    const entry = { rank, child, stderr: '', exited: false };
    this.children.push(entry);
    if (rank === 0) {
      const lines = new LineSplitter(this.onLine);
      child.stdout?.setEncoding('utf8').on('data', (c: string) => lines.push(c));
      child.stdout?.on('end', () => lines.end());
    } else {
      child.stdout?.resume();
    }
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      entry.stderr = (entry.stderr + c).slice(-16_384);
    });
    const finish = (code: number | null, signal: string | null): void => {
      if (entry.exited) return;
      entry.exited = true;
      const exit: RankExit = { rank, code, signal, stderrTail: tail(entry.stderr) };
      this.exits.push(exit);
      const failed = code !== 0 && code !== 3;
      if (failed && !this.stopping && !this.firstFailure) {
        this.firstFailure = exit;
        // A refused job (exit 2) is refused by every rank, rank 0 saying why on its LAB lines: give it a moment to.
        // Otherwise stop the others now: a collective would wait for the failed rank for many minutes.
        if (code === 2) setTimeout(() => this.stop(), 3000).unref();
        else this.stop();
      }
      if (this.exits.length === this.children.length) {
        if (this.killTimer) clearTimeout(this.killTimer);
        this.resolveDone(this.exits.sort((a, b) => a.rank - b.rank));
      }
    };
    child.on('error', (err) => {
      entry.stderr += `\n${err.message}`;
      finish(127, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
  }

  get pids(): number[] {
    return this.children.map((c) => c.child.pid ?? 0).filter((p) => p > 0);
  }

  get stopRequested(): boolean {
    return this.stopping;
  }

  /** SIGTERM to every rank still running (each writes its checkpoint and exits 3); SIGKILL after the grace period. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const c of this.children) if (!c.exited) c.child.kill('SIGTERM');
    this.resume();
    this.killTimer = setTimeout(() => {
      for (const c of this.children) if (!c.exited) c.child.kill('SIGKILL');
    }, (this.opts.graceS ?? 30) * 1000);
    this.killTimer.unref();
  }

  /** Pause: SIGSTOP every rank (both sides of a collective stop together); resume() sends SIGCONT. */
  suspend(): void {
    for (const c of this.children) if (!c.exited) c.child.kill('SIGSTOP');
  }

  resume(): void {
    for (const c of this.children) if (!c.exited) c.child.kill('SIGCONT');
  }

  /** Immediately ends every rank (the lab is exiting). */
  kill(): void {
    this.stopping = true;
    for (const c of this.children) if (!c.exited) c.child.kill('SIGKILL');
  }
}

export async function launchRanks(opts: LaunchOptions, onLine: (line: string) => void): Promise<RankGroup> {
  const port = process.env.LAB_MASTER_PORT ? Number(process.env.LAB_MASTER_PORT) : await freePort();
  return new RankGroup(opts, port, onLine);
}
