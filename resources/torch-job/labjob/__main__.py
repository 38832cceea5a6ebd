"""
python3 -m labjob run --job <dir> [--device auto|cpu|cuda] [--resume|--fresh]
python3 -m labjob probe
python3 -m labjob launch --nproc N -- run --job <dir>   (N local ranks, torchrun-style variables)
python3 -m labjob predict --job <dir> --model <dir with model.json> --split val|train --out <file.f32>
Exit codes: 0 done; 2 job invalid (the message says why); 3 stopped (resumable); 4 training failed; other: crash.
"""
import argparse
import json
import os
import sys


def probe():
    import platform

    info = {"python": platform.python_version(), "torch": None, "cuda": False, "devices": [], "nccl": False, "gloo": False, "numpy": False}
    try:
        import numpy  # noqa: F401

        info["numpy"] = True
    except Exception:
        pass
    try:
        import torch

        info["torch"] = torch.__version__.split("+")[0]
        info["cuda"] = bool(torch.cuda.is_available())
        if info["cuda"]:
            for i in range(torch.cuda.device_count()):
                p = torch.cuda.get_device_properties(i)
                info["devices"].append({"name": p.name, "memoryMiB": int(p.total_memory // (1024 * 1024))})
        import torch.distributed as dist

        info["gloo"] = bool(dist.is_available() and dist.is_gloo_available())
        info["nccl"] = bool(dist.is_available() and dist.is_nccl_available() and info["cuda"])
    except Exception:
        pass
    print(json.dumps(info))
    return 0


def refuse(events, err, rank):
    if events is not None:
        events.log("error", err.code, err.text, **err.params)
    sys.stderr.write(f"labjob (rank {rank}): {err.text}\n")


def run(args):
    from .dist import World
    from .errors import JobError, Stopped, TrainingFailed
    from .events import Events
    from .job import Job

    world = World()
    events = Events(world.rank)
    try:
        import torch

        job = Job(args.job)
        if world.size < 1 or not 0 <= world.rank < world.size:
            raise JobError("torchJob.badWorld", f"RANK {world.rank} and WORLD_SIZE {world.size} do not fit together.", rank=world.rank, worldSize=world.size)
        B = job.config["batchSize"]
        if B % world.size != 0:
            raise JobError("torchJob.batchNotDivisible", f"The batch size {B} cannot be shared by {world.size} processes: choose a batch size divisible by {world.size}, or another number of processes.", batchSize=B, worldSize=world.size)
        if world.pick_device(args.device) is None:
            raise JobError("torchJob.noCuda", "--device cuda was asked for but this PyTorch sees no CUDA device: run with --device auto or cpu, or install a CUDA build of PyTorch.")
        if world.device.type == "cpu" and "OMP_NUM_THREADS" not in os.environ:
            torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, world.local_size)))
        if args.fresh:
            for name in ("last.pt", "best.pt"):
                p = os.path.join(job.ckpt_dir, name)
                if os.path.exists(p) and world.rank == 0:
                    os.remove(p)
        from .augment import make_augmenter
        from .train import StopFlag, Trainer

        stop = StopFlag()
        stop.install()
        augmenter = make_augmenter(job, world)
        world.init()
        trainer = Trainer(job, world, events, stop, resume=not args.fresh, augmenter=augmenter)
        dev = str(world.device) if world.device.type == "cpu" else f"cuda:{world.device.index}"
        events.emit("started", worldSize=world.size, device=dev, torch=torch.__version__.split("+")[0], resumed=trainer.resumed)
        trainer.run()
        world.close()
        return 0
    except JobError as err:
        refuse(events, err, world.rank)
        return 2
    except Stopped:
        world.close()
        return 3
    except TrainingFailed as err:
        events.log("error", err.code, err.text, **err.params)
        sys.stderr.write(f"labjob (rank {world.rank}): {err.text}\n")
        return 4


def predict(args):
    import numpy as np
    import torch

    from .errors import JobError
    from .job import Job
    from .model import load_model

    try:
        job = Job(args.job)
        split = job.val if args.split == "val" else job.train
        if split is None:
            raise JobError("torchJob.badJob", f"the job has no {args.split} split.")
        model, _, _ = load_model(args.model, job.input_shape)
        model.eval()
        outs = []
        with torch.no_grad():
            for i in range(0, split.n, 128):
                outs.append(model(job.normalise(split.x[i : i + 128])).float().numpy())
        probs = np.concatenate(outs) if outs else np.zeros((0, len(job.classes)), np.float32)
        probs.astype("<f4").tofile(args.out)
        return 0
    except JobError as err:
        sys.stderr.write(f"labjob: {err.text}\n")
        return 2


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m labjob", description="Train an image-classification lab job on PyTorch.")
    sub = parser.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="train the job (one rank; torchrun-style variables for more)")
    r.add_argument("--job", required=True)
    r.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    g = r.add_mutually_exclusive_group()
    g.add_argument("--resume", action="store_true", help="continue from ckpt/last.pt (the default when it exists)")
    g.add_argument("--fresh", action="store_true", help="ignore any checkpoint and start at epoch 1")
    sub.add_parser("probe", help="print Python, PyTorch, CUDA and NCCL as one JSON line")
    p = sub.add_parser("predict", help="probabilities of a split as float32 count×classes")
    p.add_argument("--job", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--split", choices=["val", "train"], default="val")
    p.add_argument("--out", required=True)
    la = sub.add_parser("launch", help="run N local ranks of a command (e.g. launch --nproc 2 -- run --job DIR)")
    la.add_argument("--nproc", type=int, required=True)
    la.add_argument("--port", type=int, default=None)
    la.add_argument("rest", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.cmd == "launch":
        from .launch import launch

        rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
        return launch(args.nproc, rest, args.port)
    if args.cmd == "probe":
        return probe()
    if args.cmd == "predict":
        return predict(args)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
