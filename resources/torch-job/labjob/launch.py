"""
`python3 -m labjob launch --nproc N [--port P] -- run --job <dir> …`: N local ranks with torchrun-style variables
(MASTER_ADDR 127.0.0.1, a free port, RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE). Debian's torch.distributed.run
fails on Python 3.11, and a lab on a single machine needs no more than this. SIGTERM/SIGINT are passed to every rank;
when one rank fails, the others get 10 s to end, then are killed. The exit code is rank 0's, or the first failing rank's
when rank 0 succeeded.
"""
import os
import signal
import socket
import subprocess
import sys
import time

GRACE_S = 10


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(nproc, argv, port=None):
    port = port or free_port()
    procs = []
    for rank in range(nproc):
        env = dict(os.environ)
        env.update(
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(port),
            RANK=str(rank),
            LOCAL_RANK=str(rank),
            WORLD_SIZE=str(nproc),
            LOCAL_WORLD_SIZE=str(nproc),
        )
        out = None if rank == 0 else subprocess.DEVNULL
        procs.append(subprocess.Popen([sys.executable, "-m", "labjob", *argv], env=env, stdout=out))

    def forward(signum, frame):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    # A rank that fails leaves the others waiting in a collective: give them a grace period, then end them.
    failed_at = None
    while any(p.poll() is None for p in procs):
        if failed_at is None and any(p.poll() not in (None, 0, 3) for p in procs):
            failed_at = time.time()
        if failed_at is not None and time.time() - failed_at > GRACE_S:
            for p in procs:
                if p.poll() is None:
                    p.kill()
        time.sleep(0.1)
    codes = [p.wait() for p in procs]
    if codes[0] != 0:
        return codes[0]
    return next((c for c in codes if c != 0), 0)
