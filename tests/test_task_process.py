"""The task body every Ray worker runs: it stops its process through the graph's stop file,
and it stays light to import (a worker pays its imports on the tasks' cores)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from ganbench.longrun import task_process
from ganbench.plumbing.cli import EXIT_INTERRUPTED

# a process that checkpoints on SIGTERM as a train-seed does: exits 130 when told to stop
PATIENT = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))\n"
    "print('started', flush=True)\n"
    "time.sleep(60)\n"
)


def task(tmp_path, code: str) -> task_process.Task:
    return task_process.Task("patient", (sys.executable, "-c", code), tmp_path / "task.log")


def test_the_stop_file_makes_a_running_process_stop_and_a_queued_one_not_start(tmp_path):
    stop = tmp_path / ".stop-graph"
    result: list[tuple[int, str]] = []
    running = threading.Thread(
        target=lambda: result.append(
            task_process.run_process(task(tmp_path, PATIENT), {}, str(stop))
        )
    )
    started = time.perf_counter()
    running.start()
    time.sleep(2.0)
    assert running.is_alive()  # it waits on its process until told
    stop.touch()
    running.join(timeout=20)
    assert not running.is_alive() and time.perf_counter() - started < 20
    assert result[0][0] == EXIT_INTERRUPTED and task_process.stopped_by_signal(result[0][0])
    code, line = task_process.run_process(task(tmp_path, "print('never')"), {}, str(stop))
    assert (code, line) == (EXIT_INTERRUPTED, "not started: the graph was told to stop")
    assert "never" not in (tmp_path / "task.log").read_text()


def test_a_process_that_ends_on_its_own_returns_its_code_and_last_line(tmp_path):
    code, line = task_process.run_process(
        task(tmp_path, "print('one'); print('two: done')"), {}, str(tmp_path / ".stop-none")
    )
    assert (code, line) == (0, "two: done")


def test_a_worker_imports_neither_mlflow_nor_tensorflow_for_its_task():
    probe = (
        "import sys, ganbench.longrun.task_process\n"
        "print(sorted(m for m in ('mlflow', 'tensorflow', 'ray') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
