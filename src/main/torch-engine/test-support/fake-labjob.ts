/**
 * A stand-in for the labjob package, for testing the lab's side of the PyTorch engine without PyTorch: it speaks
 * the contract (LAB lines on rank 0's stdout, exit codes 0/2/3/other, out/model.json, ckpt/last.pt) and behaves as
 * FAKE_LABJOB_MODE says: ok (trains: its "trained" model is the initial one), hang (one epoch, then waits for
 * SIGTERM), crash (rank 1 fails with a traceback while rank 0 waits for it, as a DDP peer would), invalid (exit 2).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MAIN = String.raw`
import json, math, os, shutil, signal, sys, time

def out(obj):
    print("LAB " + json.dumps(obj), flush=True)

def main():
    args = sys.argv[1:]
    if args[0] == "probe":
        print(json.dumps({"python": "3", "torch": os.environ.get("FAKE_TORCH", "fake"), "cuda": False, "devices": [], "nccl": False, "gloo": True, "numpy": True}))
        return 0
    job_dir = args[args.index("--job") + 1]
    resume = "--resume" in args
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    mode = os.environ.get("FAKE_LABJOB_MODE", "ok")
    with open(os.path.join(job_dir, "job.json")) as f:
        job = json.load(f)
    cfg = job["config"]
    with open(os.path.join(job_dir, "pid-rank%d" % rank), "w") as f:
        f.write(str(os.getpid()))
    if rank == 0:
        out({"kind": "started", "worldSize": world, "device": "cpu", "torch": "fake"})
        with open(os.path.join(job_dir, "seen-env.json"), "w") as f:
            json.dump({k: os.environ.get(k) for k in ["RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK", "OMP_NUM_THREADS"]} | {"resume": resume, "args": args}, f)
    if mode == "invalid":
        if rank == 0:
            out({"kind": "log", "level": "error", "code": "job.layer", "text": "Layer class FancyLayer cannot be expressed in PyTorch"})
        return 2
    if mode == "crash":
        if rank == 1:
            # Fail mid-training: once rank 0 is up and waiting for its peer.
            for _ in range(200):
                if os.path.exists(os.path.join(job_dir, "pid-rank0")):
                    break
                time.sleep(0.05)
            sys.stderr.write("Traceback (most recent call last):\n  File \"labjob/train.py\", line 1\nRuntimeError: fake rank failure\n")
            return 1
        time.sleep(600)
        return 0
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__("now", True))
    ckpt = os.path.join(job_dir, "ckpt")
    os.makedirs(ckpt, exist_ok=True)
    start = 0
    if resume and os.path.exists(os.path.join(ckpt, "last.pt")):
        with open(os.path.join(ckpt, "last.pt")) as f:
            start = int(f.read())
    n = job["data"]["train"]["count"]
    per = max(1, n // cfg["batchSize"])
    for e in range(start + 1, cfg["epochs"] + 1):
        if rank == 0:
            for b in range(1, per + 1):
                out({"kind": "batch", "epoch": e, "batch": b, "batchesPerEpoch": per, "loss": 1.0 / e, "accuracy": 0.5, "lr": cfg["optimizer"]["lr"]})
            out({"kind": "epoch", "epoch": e, "loss": 1.0 / e, "accuracy": 0.5, "valLoss": 1.0 / e, "valAccuracy": 0.5, "lr": cfg["optimizer"]["lr"], "durationS": 0.01, "imagesPerS": 1000.0, "bestEpoch": e, "patienceLeft": None})
            with open(os.path.join(ckpt, "last.pt.tmp"), "w") as f:
                f.write(str(e))
            os.replace(os.path.join(ckpt, "last.pt.tmp"), os.path.join(ckpt, "last.pt"))
        if mode == "hang" and not resume:
            while not stop["now"]:
                time.sleep(0.05)
            return 3
    if rank == 0:
        os.makedirs(os.path.join(job_dir, "out"), exist_ok=True)
        init = os.path.dirname(os.path.join(job_dir, job["model"]))
        for name in os.listdir(init):
            shutil.copy(os.path.join(init, name), os.path.join(job_dir, "out", name))
        out({"kind": "done", "bestEpoch": cfg["epochs"], "stoppedEarly": False})
    return 0

sys.exit(main())
`;

/** Writes the fake package as <dir>/labjob and returns that folder (for LAB_TORCH_JOB_PACKAGE). */
export function writeFakeLabjob(dir: string): string {
  const pkg = path.join(dir, 'labjob');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(path.join(pkg, '__init__.py'), '');
  writeFileSync(path.join(pkg, '__main__.py'), MAIN);
  return pkg;
}
