"""The body of one executor task on its Ray worker: run the task's process, and stop it
(it checkpoints) when the graph's stop file appears.

Every worker imports this module (and unpickles its Task) before the task's process
starts, on the same cores as the training processes already running. So it imports the
standard library and light ganbench plumbing only: the executor's own module pulls in
MLflow, which cost each worker about 2 s of CPU and 100 MB."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from ganbench.plumbing.cli import EXIT_INTERRUPTED

STOP_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Task:
    """One process of the graph: its name (`wgan seed 1`, `study 100-2`), its command,
    the log it appends to, and its expected cost in CPU-seconds."""

    name: str
    command: tuple[str, ...]
    log: Path
    cost: float = 1.0
    resumed: bool = False  # it continues from a checkpoint: started work finishes first


def last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(empty log)"


def _die_with_parent() -> None:
    """The task's process gets SIGTERM (and so checkpoints) if its Ray worker dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_process(task: Task, env: dict[str, str], stop_file: str) -> tuple[int, str]:
    """Run the task's process; once `stop_file` exists (the driver was told to stop), send
    it SIGTERM. The file lies in the graph's workdir, which every node sees: no actor, no
    extra process. A task that reaches its worker after the stop does not start."""
    stop = Path(stop_file)
    if stop.exists():
        return EXIT_INTERRUPTED, "not started: the graph was told to stop"
    with open(task.log, "a") as log:
        process = subprocess.Popen(
            task.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
            preexec_fn=_die_with_parent,
        )
        ended = threading.Event()

        def forward_stop() -> None:
            while not ended.wait(STOP_POLL_SECONDS):
                if stop.exists():
                    process.send_signal(signal.SIGTERM)  # it checkpoints, then exits
                    return

        watcher = threading.Thread(target=forward_stop, daemon=True)
        watcher.start()
        code = process.wait()
        ended.set()
        watcher.join()
    return code, last_line(task.log)


def stopped_by_signal(code: int) -> bool:
    """A task's exit once the graph was told to stop: checkpointed and interrupted, or
    killed by the stop before its handler was in place (not a failure either way)."""
    return code in (EXIT_INTERRUPTED, -signal.SIGTERM, -signal.SIGINT)
