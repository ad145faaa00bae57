"""The long runs' executor: every unfinished seed or study cell is a task on Ray.

Each task runs the same process as ever (a seed's `repeats train-seed`, a cell's
`python -m ganbench.stages study`), so TensorFlow's determinism settings stay per process
and a task checkpoints and resumes as the stage does. Ray places the tasks by their
resource needs (threads as CPUs, a GPU fraction), in `start_order`, on this machine (a
Ray of its own, no dashboard, shut down with the command) or on a running cluster
(`address`, or RAY_ADDRESS). A task whose worker or node dies is retried and resumes from
its checkpoint; a task that fails on a user error (exit 1 with a one-line message) is not
retried, and its line reaches the driver with the task named. SIGINT or SIGTERM on the
driver reaches every running task's process, which checkpoints and stops (a stop file
in the workdir; the task's side is ganbench.longrun.task_process).
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganbench.longrun.task_process import Task, last_line, run_process, stopped_by_signal
from ganbench.plumbing import tracking
from ganbench.plumbing.errors import InputError, RunFailed

__all__ = ["Placement", "Task", "last_line", "run", "start_order", "stopped_by_signal"]

# a dead worker or node: the task runs again elsewhere, from its last checkpoint
RETRIES_ON_LOST_WORKER = 3
GRAPH_ID_VARIABLE = "GANBENCH_GRAPH_ID"
EMBEDDED = "local"  # ray.init's address for a new instance on this machine, whatever runs
TASK_VARIABLE = "GANBENCH_TASK"


@dataclass(frozen=True)
class Placement:
    """What each task asks of a node, and where the graph runs (None: embedded Ray)."""

    threads: int = 1
    gpus: float = 0.0
    address: str | None = None
    # longest first finishes a whole graph soonest on a cluster that runs it to the end;
    # shortest first lands finished results soonest on a machine held a few hours at a time
    shortest_first: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)


def start_ray(address: str | None) -> bool:
    """Connect to the cluster at `address` (or RAY_ADDRESS), else start Ray embedded on this
    machine's cores; returns whether this call started it (and so shuts it down). Embedded
    means a Ray of its own ("local"): with no address Ray would attach to the latest one
    started on this machine, e.g. a long run's, whose end would take these tasks down."""
    import ray

    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS") or EMBEDDED
    ray.init(
        address=address,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    return True


def node_hosts() -> dict[str, str]:
    """Alive node id -> its host address."""
    import ray

    return {n["NodeID"]: n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]}


def check_shared(workdir: Path, tracking_uri: str, hosts: dict[str, str]) -> None:
    """A graph over several hosts needs storage every node sees and a tracking server:
    refused in one line before any task starts."""
    if len(set(hosts.values())) < 2:
        return
    if not tracking_uri.startswith(("http://", "https://", "databricks")):
        raise InputError(
            f"MLFLOW_TRACKING_URI {tracking_uri}: a local store cannot be shared by the "
            f"{len(set(hosts.values()))} hosts of this cluster; start a tracking server and "
            "point MLFLOW_TRACKING_URI at it (http://...)"
        )
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    probe = ray.remote(num_cpus=0)(_write_probe)
    marks = {
        node: probe.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)
        ).remote(str(workdir), node)
        for node in hosts
    }
    for node, ref in marks.items():
        written = ray.get(ref)
        mark = workdir / f".probe-{node}"
        if written is not None or not mark.is_file():
            raise InputError(
                f"{workdir}: not shared storage: node {node} ({hosts[node]}) "
                f"{written or 'wrote a file this driver cannot see'}"
            )
        mark.unlink()


def _write_probe(workdir: str, node: str) -> str | None:
    try:
        Path(workdir, f".probe-{node}").write_text(node)
    except OSError as err:
        return f"cannot write there ({err.strerror})"
    return None


def start_order(tasks: Sequence[Task], shortest_first: bool = False) -> list[Task]:
    """Resumed tasks first (work in progress finishes before new work starts, so fewer
    checkpoints wait to be handed over), then by expected cost, longest first by default."""
    return sorted(tasks, key=lambda t: (not t.resumed, t.cost if shortest_first else -t.cost))


def run(
    tasks: Sequence[Task],
    placement: Placement,
    workdir: Path,
    on_done: Callable[[Task], None] | None = None,
) -> list[str]:
    """Run every task on Ray in `start_order`; `on_done` is called in the driver as each
    finishes. Returns the names of the tasks finished. Raises KeyboardInterrupt when the
    driver was told to stop (every running task checkpointed), RunFailed naming each task
    that failed (the others ran to their end)."""
    if placement.threads < 1:
        raise InputError(f"--threads-per-task: must be >= 1, got {placement.threads}")
    if placement.gpus < 0:
        raise InputError(f"--gpus-per-task: must be >= 0, got {placement.gpus}")
    if not tasks:
        return []
    import ray

    tracking_uri = tracking.tracking_uri()
    # made (and migrated) once here, before any task: tasks starting at once on a new
    # SQLite store would race to migrate it; a server that does not answer stops us now
    tracking.connect()
    started_here = start_ray(placement.address)
    stopped: list[int] = []
    previous: dict[int, Any] = {}
    graph = uuid.uuid4().hex[:12]
    workdir.mkdir(parents=True, exist_ok=True)
    stop_file = workdir / f".stop-{graph}"  # every node sees the workdir (check_shared)
    try:
        check_shared(workdir, tracking_uri, node_hosts())

        def on_signal(signum: int, frame: object) -> None:
            stopped.append(signum)
            stop_file.touch()

        if threading.current_thread() is threading.main_thread():  # where signals arrive
            previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        remote = ray.remote(run_process)
        needs = {
            "num_cpus": placement.threads,
            "num_gpus": placement.gpus,
            "max_retries": RETRIES_ON_LOST_WORKER,
            "retry_exceptions": False,
        }
        env = {
            # the store every task logs to: the driver's (a cluster's is a server)
            **(
                {"MLFLOW_TRACKING_URI": tracking_uri} if "MLFLOW_TRACKING_URI" in os.environ else {}
            ),
            "TF_NUM_INTRAOP_THREADS": str(placement.threads),
            GRAPH_ID_VARIABLE: graph,
            **placement.extra_env,
        }
        pending = {
            remote.options(name=task.name, **needs).remote(
                task, {**env, TASK_VARIABLE: task.name}, str(stop_file)
            ): task
            for task in start_order(tasks, placement.shortest_first)
        }
        done, failed = [], []
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            task = pending.pop(ready[0])
            try:
                code, line = ray.get(ready[0])
            except ray.exceptions.RayError as err:
                failed.append(f"{task.name}: {' '.join(str(err).split())[:300]}")
                continue
            if code == 0:
                done.append(task.name)
                if on_done:
                    on_done(task)
            elif not (stopped and stopped_by_signal(code)):
                failed.append(f"{task.name} failed (exit {code}): {line} [log: {task.log}]")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop_file.unlink(missing_ok=True)
        if started_here:
            ray.shutdown()
    if failed:
        raise RunFailed("; ".join(failed))
    if stopped:
        raise KeyboardInterrupt(f"signal {stopped[0]}; tasks resume from their checkpoints")
    return done


def executor_options(parser: argparse.ArgumentParser) -> None:
    """The executor's options, the same on every long-run command."""
    parser.add_argument(
        "--address", help="a running Ray cluster (default: RAY_ADDRESS, else Ray on this machine)"
    )
    parser.add_argument(
        "--threads-per-task", type=int, help="CPU threads each task asks for and uses"
    )
    parser.add_argument(
        "--gpus-per-task", type=float, default=0.0, help="GPU share of each task (0.25: four a GPU)"
    )
    parser.add_argument(
        "--order", choices=("longest", "shortest"), default="longest",
        help="start the tasks with the most (default) or the least expected work left first",
    )  # fmt: skip


def placement_from(args: argparse.Namespace, threads: int) -> Placement:
    """The placement a command's executor options ask for."""
    return Placement(threads, args.gpus_per_task, args.address, args.order == "shortest")


def threads_for(jobs: int) -> int:
    """Threads for each of `jobs` tasks at once on this machine: TF_NUM_INTRAOP_THREADS
    when set, else the cores split between them."""
    fixed = os.environ.get("TF_NUM_INTRAOP_THREADS")
    return int(fixed) if fixed else max(1, (os.cpu_count() or 1) // jobs)
