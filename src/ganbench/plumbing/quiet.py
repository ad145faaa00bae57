"""Readable stage output: TensorFlow's native info and warning lines (oneDNN banners, CPU
feature notices, absl's start-up line) and its known-harmless error lines (a NodeDef
attribute newer than the runtime, Grappler's remapper declining a graph) are dropped from
the process's stderr; every other line, TensorFlow's real errors included, passes through
as written, progress bars too.

TensorFlow's C++ side writes straight to file descriptor 2, beyond Python's reach, so the
filter sits on the descriptor: a pipe in its place and a thread that forwards what is
worth reading. GANBENCH_TF_LOGS=1 turns the filter off and shows everything.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import sys
import threading
from collections.abc import Iterator

# A native log line: severity letter, MMDD, a time stamp, thread id, file:line] message.
NATIVE = re.compile(rb"^[IWEF]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] ")
# The same, started behind a progress bar that has not ended its line.
NATIVE_INSIDE = re.compile(rb"[IWEF]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] ")
HARMLESS_ERRORS = (
    b"NodeDef mentions attribute",  # a graph attribute newer than this runtime: ignored
    b"remapper failed",  # Grappler's fusion pass declining a graph: it runs unfused
    b"layout failed",  # the same for the layout pass
    b"Falling back to the default Eigen-based implementation",  # oneDNN lacks an int32 kernel
)
NOISE_LINES = (
    b"WARNING: All log messages before absl::InitializeLog() is called",
    # MLflow's notices as a stage registers its networks; the stage's own line and its
    # metrics file name the model version
    b"Successfully registered model '",
    b"Created version '",
)
_installed = False


def is_noise(line: bytes) -> bool:
    """A line worth hiding: a native info or warning line, a known-harmless native error,
    or absl's start-up notice."""
    if line.startswith(NOISE_LINES):
        return True
    if NATIVE.match(line):
        severity = line[:1]
        if severity in (b"I", b"W"):
            return True
        return severity == b"E" and any(marker in line for marker in HARMLESS_ERRORS)
    return False


def without_noise(line: bytes) -> bytes | None:
    """The line as it should be shown: None when it is noise; a progress bar's part alone
    when a noisy native line was written straight after the bar, on the bar's line."""
    if is_noise(line):
        return None
    inside = NATIVE_INSIDE.search(line, 1)
    if inside and is_noise(line[inside.start() :]):
        return line[: inside.start()]
    return line


def filter_native_logs() -> None:
    """Install the filter on fd 2 (once per process; a no-op with GANBENCH_TF_LOGS=1)."""
    global _installed
    if _installed or os.environ.get("GANBENCH_TF_LOGS") == "1":
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # TensorFlow's own info lines
    real = os.dup(2)
    read_end, write_end = os.pipe()
    sys.stderr.flush()
    os.dup2(write_end, 2)
    os.close(write_end)

    def forward() -> None:
        pending = b""
        with os.fdopen(read_end, "rb", buffering=0) as source:
            while chunk := source.read(65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                shown = (without_noise(line) for line in lines)
                out = b"".join(line + b"\n" for line in shown if line is not None)
                # a progress bar rewrites its line with \r and never ends it: pass it on
                if pending and not NATIVE.match(pending) and b"\r" in pending:
                    out, pending = out + pending, b""
                if out:
                    os.write(real, out)
        if pending and not is_noise(pending):
            os.write(real, pending)

    thread = threading.Thread(target=forward, name="native-log-filter", daemon=True)
    thread.start()

    def drain() -> None:
        """At exit: put the real stderr back (the pipe then ends) and let the thread pass on
        the last lines, such as a stage's one-line error."""
        sys.stderr.flush()
        os.dup2(real, 2)
        thread.join(timeout=5)

    atexit.register(drain)
    _installed = True


@contextlib.contextmanager
def keras_progress_off() -> Iterator[None]:
    """Keras's per-call progress bars (`1/1 ━━━━ 0s 65ms/step`) off inside calls the stages
    do not make themselves, such as MLflow's prediction on a logged model's input example;
    GANBENCH_TF_LOGS=1 keeps them."""
    if os.environ.get("GANBENCH_TF_LOGS") == "1":
        yield
        return
    import keras

    was_on = keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()
    try:
        yield
    finally:
        if was_on:
            keras.config.enable_interactive_logging()
