"""The one training loop every GAN family shares.

It compiles the family's step once, runs it for the scheduled iterations, and around it does
the bookkeeping the seeds did by hand: loss logs every k steps (MLflow and a CSV for DVC
plots), sample images every k steps, an evaluation of the current generator every k steps
(from step 0, so a curve starts at the untrained network), checkpoints every k steps
(weights, optimizer state, random state, step, the logs so far) with resume, a progress bar,
and a guard that stops on a NaN or inf loss.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from ganbench.plumbing import atomic, machine

if TYPE_CHECKING:
    from ganbench.models.base import GanModel


class NonFiniteLossError(FloatingPointError):
    """A loss became NaN or inf; training stops rather than publish a broken model."""


@dataclass
class TrainResult:
    steps: int
    wall_seconds: float
    steps_per_second: float
    final_losses: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    resumed_from: int = 0
    # the evaluations during training, one row per evaluated step, and their share of time
    evaluations: list[dict[str, float]] = field(default_factory=list)
    evaluate_seconds: float = 0.0
    # every stretch of training since step 0 (this one last): steps, seconds, machine
    segments: list[dict] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(segment["seconds"] for segment in self.segments)


def compile_step(model: GanModel) -> Callable[[], tuple[dict[str, tf.Tensor], tf.Tensor]]:
    """The family's step as one compiled function that also reports whether all losses are
    finite, so the loop needs a single host sync per step."""

    def guarded() -> tuple[dict[str, tf.Tensor], tf.Tensor]:
        losses = model.train_step()
        finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(v)) for v in losses.values()])
        return losses, finite

    return tf.function(guarded, jit_compile=model.schedule.xla)


# --- checkpoints -------------------------------------------------------------------------------


@dataclass
class Log:
    """What a run has logged so far, kept in its checkpoint so a resumed run continues it:
    losses, evaluations, and one segment per stretch of training between resumes (steps,
    seconds and the machine it ran on), so a long run's wall time and machines add up."""

    losses: list[dict[str, float]] = field(default_factory=list)
    evaluations: list[dict[str, float]] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(segment["seconds"] for segment in self.segments)


def fingerprint(config: object, precision: str = "float32") -> str:
    """Identifies the config (and precision) a checkpoint belongs to; a changed config
    never resumes. float32 adds nothing, so checkpoints from before the option resume."""
    key = repr(config) if precision == "float32" else f"{config!r}|{precision}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def set_precision(precision: str) -> None:
    """Keras's global dtype policy for the networks built next: float32 or mixed_bfloat16
    (bfloat16 compute, float32 variables); set before every model is built."""
    import keras

    keras.mixed_precision.set_global_policy(precision)


class Checkpointer:
    """Saves and restores every state variable of a model, atomically, as one .npz file."""

    def __init__(self, path: Path, model: GanModel, config_fingerprint: str):
        self.path = path
        self.model = model
        self.fingerprint = config_fingerprint

    def save(self, step: int, log: Log) -> None:
        variables = self.model.state_variables()
        arrays = {f"v{i}": np.asarray(v.numpy()) for i, v in enumerate(variables)}
        meta = {
            "step": step,
            "fingerprint": self.fingerprint,
            "history": log.losses,
            "evaluations": log.evaluations,
            "segments": log.segments,
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)

        def write(tmp: Path) -> None:
            buffer = io.BytesIO()
            np.savez(buffer, **arrays)
            tmp.write_bytes(buffer.getvalue())

        atomic.write_with(self.path, write)

    def restore(self) -> tuple[int, Log]:
        """Load the checkpoint if it exists and matches this config; return (step, logs)."""
        if not self.path.is_file():
            return 0, Log()
        with np.load(self.path) as stored:
            meta = json.loads(stored["meta"].tobytes().decode())
            if meta["fingerprint"] != self.fingerprint:
                return 0, Log()
            variables = self.model.state_variables()
            if len(stored.files) - 1 != len(variables):
                return 0, Log()
            for i, variable in enumerate(variables):
                variable.assign(stored[f"v{i}"])
        logs = Log(meta["history"], meta.get("evaluations", []), meta.get("segments", []))
        return int(meta["step"]), logs

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


class StopRequest:
    """Turns SIGINT/SIGTERM into a flag checked between steps.

    Raising inside the signal handler could land between a finished step and the step
    counter's increment; checking a flag after each whole step keeps the checkpoint exact.
    """

    def __init__(self) -> None:
        self.signal: int | None = None

    def __call__(self, signum: int, frame: object) -> None:
        self.signal = signum


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    request = StopRequest()
    previous = {sig: signal.signal(sig, request) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield request
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- the loop ----------------------------------------------------------------------------------

LogFn = Callable[[int, dict[str, float]], None]
SampleFn = Callable[[int], None]
EvaluateFn = Callable[[int], dict[str, float]]


def train(
    model: GanModel,
    checkpointer: Checkpointer,
    on_log: LogFn,
    on_sample: SampleFn,
    stop_after: int | None = None,
    progress: bool = True,
    on_evaluate: EvaluateFn | None = None,
) -> TrainResult:
    """Run the schedule from the last checkpoint to the end.

    `stop_after` ends the run early after that many total steps, checkpointed, as an
    interruption would (used to test resume equivalence). `on_evaluate(step)` scores the
    current networks every `schedule.evaluate_every` steps (never when 0); it must leave
    them, and the training stream, as they were.
    """
    schedule = model.schedule
    step_fn = compile_step(model)
    start, log = checkpointer.restore()
    history = log.losses
    end = schedule.iterations if stop_after is None else min(stop_after, schedule.iterations)
    losses: dict[str, float] = {}
    began = time.perf_counter()
    evaluate_seconds = 0.0
    step = start
    segment = {"from_step": start, "to_step": start, "seconds": 0.0, "machine": machine.one_line()}
    log.segments.append(segment)

    def close_segment() -> None:
        segment["to_step"] = step
        segment["seconds"] = round(time.perf_counter() - began, 3)

    def evaluate_now(at: int) -> None:
        nonlocal evaluate_seconds
        if on_evaluate is None or not schedule.evaluate_every:
            return
        if at % schedule.evaluate_every and at != schedule.iterations:
            return
        timer = time.perf_counter()
        log.evaluations.append({"step": at, **on_evaluate(at)})
        evaluate_seconds += time.perf_counter() - timer

    bar = tqdm(
        total=schedule.iterations,
        initial=start,
        disable=not progress,
        unit="it",
        mininterval=1.0 if sys.stderr.isatty() else 30.0,  # keep DVC logs readable
    )
    try:
        with stop_on_signals() as stop:
            if start == 0:
                evaluate_now(0)
            while step < end:
                tensors, finite = step_fn()
                step += 1
                if not bool(finite):
                    values = {k: float(v) for k, v in tensors.items()}
                    raise NonFiniteLossError(f"non-finite loss at step {step}: {values}")
                bar.update(1)
                if step % schedule.log_every == 0 or step == schedule.iterations:
                    losses = {k: float(v) for k, v in tensors.items()}
                    history.append({"step": step, **losses})
                    on_log(step, losses)
                    # refresh=False: the bar redraws on its own interval, not at every log
                    bar.set_postfix({k: f"{v:.3f}" for k, v in losses.items()}, refresh=False)
                if step % schedule.sample_every == 0 or step == schedule.iterations:
                    on_sample(step)
                evaluate_now(step)
                if step % schedule.checkpoint_every == 0 and step < end:
                    close_segment()
                    checkpointer.save(step, log)
                if stop.signal is not None:
                    raise KeyboardInterrupt(f"signal {stop.signal} after step {step}")
    except KeyboardInterrupt:
        close_segment()
        checkpointer.save(step, log)
        raise
    except tf.errors.UnimplementedError as error:
        from ganbench.plumbing import devices

        raise (devices.explain(error) or error) from error
    finally:
        bar.close()
    close_segment()
    if step < schedule.iterations:
        checkpointer.save(step, log)
    elapsed = time.perf_counter() - began
    training_seconds = elapsed - evaluate_seconds
    done = step - start
    return TrainResult(
        steps=step,
        wall_seconds=elapsed,
        steps_per_second=done / training_seconds if training_seconds > 0 else 0.0,
        final_losses=losses or (dict(list(history[-1].items())[1:]) if history else {}),
        history=history,
        resumed_from=start,
        evaluations=log.evaluations,
        evaluate_seconds=evaluate_seconds,
        segments=log.segments,
    )


def set_determinism(seed: int, xla: bool, deterministic: bool = True) -> None:
    """Seed Python, NumPy, Keras and TensorFlow, and make CPU training bit-reproducible."""
    import keras

    configure_runtime(xla, deterministic)
    keras.utils.set_random_seed(seed)


def configure_runtime(xla: bool, deterministic: bool = True) -> None:
    """Make CPU training bit-reproducible: called before the first TensorFlow op (threads can
    be set only until the runtime starts), and again, harmlessly, by `set_determinism`.

    Op determinism alone was not enough, as measured on the tiny test configs:
    - with several independent ops in flight, DCGAN's 1 D + 5 G step gave different weights
      run to run; one inter-op thread fixes it (each op still uses every core);
    - without XLA, Grappler's graph rewrites (run under time budgets) gave last-bit
      differences between fresh processes (WGAN) and between a resumed and an
      uninterrupted run (DCGAN). They are turned off for non-XLA steps, where they bought
      nothing measurable (WGAN 0.30 vs 0.32 it/s); XLA-compiled steps keep them.
    """
    from ganbench.plumbing import devices

    gpus = devices.gpus()
    for gpu in gpus:  # several processes (a repeats' seeds) can share a card
        # RuntimeError: initialised by an earlier call, whose setting holds
        with contextlib.suppress(RuntimeError):
            tf.config.experimental.set_memory_growth(gpu, True)
    if deterministic or not gpus:  # on the CPU every op here has a deterministic kernel
        tf.config.experimental.enable_op_determinism()
    if not xla:
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
    try:
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        # The runtime is already initialised (a second model in one process): the setting
        # made by the first call still holds.
        if tf.config.threading.get_inter_op_parallelism_threads() != 1:
            raise
