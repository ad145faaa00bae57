"""What machine a number came from: CPU model and vector extensions, cores, library versions.

Speeds and, across machine kinds, even trained weights differ, so every timing and every
long-run result carries this record beside it. Reads /proc/cpuinfo where it exists; imports
no heavy library unless it is already loaded.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# TensorFlow's switch for oneDNN's kernels (read once, when TensorFlow loads).
ONEDNN_SWITCH = "TF_ENABLE_ONEDNN_OPTS"
# The CPU flags that decide which kernels TensorFlow's oneDNN can use, in order of kind.
VECTOR_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile")


def cpu_info(cpuinfo: Path = Path("/proc/cpuinfo")) -> tuple[str, set[str]]:
    """(model name, flags) of the first CPU; the platform's name and no flags elsewhere."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return platform.processor() or platform.machine(), set()
    model, flags = platform.machine(), set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and model == platform.machine():
            model = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    return model, flags


def kind(flags: set[str]) -> str:
    """A short name of the machine kind, as the README and benchmarks name them."""
    if "avx512_bf16" in flags or "amx_bf16" in flags:
        return "avx512-bf16"
    if "avx512f" in flags:
        return "avx512"
    if "avx2" in flags:
        return "avx2"
    return platform.machine()


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def cpu_kernels() -> str:
    """'onednn' or 'eigen': what this process's TensorFlow ops run on (loads TensorFlow)."""
    from tensorflow.python.util import _pywrap_util_port

    return "onednn" if _pywrap_util_port.IsMklEnabled() else "eigen"


def onednn_enabled(flags: set[str]) -> bool:
    """Whether TensorFlow's ops run on oneDNN's kernels: asked of TensorFlow when it is
    loaded, else predicted as it decides (the switch when set, else on only for CPUs with
    AVX-512 VNNI/BF16 or AMX)."""
    if "tensorflow" in sys.modules:
        return cpu_kernels() == "onednn"
    switch = os.environ.get(ONEDNN_SWITCH)
    if switch is not None:
        return switch not in ("0", "false", "False")
    return tensorflow_default_onednn(flags)


def tensorflow_default_onednn(flags: set[str]) -> bool:
    """TensorFlow's own default when nobody sets the switch: oneDNN only on CPUs with
    AVX-512 VNNI/BF16, AVX-VNNI or AMX."""
    return bool(flags & {"avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_tile"})


def describe() -> dict[str, Any]:
    """The record written beside every timing and long-run result."""
    model, flags = cpu_info()
    onednn = onednn_enabled(flags)
    return {
        "cpu_model": model,
        "cpu_kind": kind(flags),
        "cpu_flags": [flag for flag in VECTOR_FLAGS if flag in flags],
        "cores": os.cpu_count(),
        "intra_op_threads": intra_op_threads(),
        "python": sys.version.split()[0],
        "tensorflow": version("tensorflow-cpu") or version("tensorflow"),
        "keras": version("keras"),
        "onednn": onednn,
    }


def intra_op_threads() -> int:
    """Threads each TensorFlow op may use here: TF_NUM_INTRAOP_THREADS when set (how the
    long runs' lanes take one core each), else every core. A time means little without it."""
    configured = os.environ.get("TF_NUM_INTRAOP_THREADS", "")
    return int(configured) if configured.isdigit() and int(configured) > 0 else os.cpu_count() or 1


def one_line(record: dict[str, Any] | None = None) -> str:
    """E.g. 'Intel(R) Xeon(R) Processor, 2 cores, avx2 fma avx512f ... (avx512-bf16)'."""
    record = record or describe()
    flags = " ".join(record["cpu_flags"]) or "no AVX"
    return f"{record['cpu_model']}, {record['cores']} cores, {flags} ({record['cpu_kind']})"


def model_and_kind(line: str) -> str:
    """A `one_line` shortened to the CPU model and kind, for prose: 'AMD EPYC, 2 cores, avx2
    fma (avx2)' -> 'AMD EPYC (avx2)' (records that hold only the line, e.g. a training
    segment's)."""
    model, _, rest = line.partition(", ")
    kind = rest.rsplit("(", 1)[-1].rstrip(")") if "(" in rest else ""
    return f"{model} ({kind})" if kind else model


def device() -> str:
    """What the networks run on: the first GPU's name when TensorFlow sees one, else the
    CPU's model and kind (imports TensorFlow: for stages that train)."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU {details.get('device_name', gpus[0].name)}"
    model, flags = cpu_info()
    return f"CPU {model} ({kind(flags)})"
