"""Stage output without TensorFlow's native noise, its real errors kept."""

from __future__ import annotations

import os
import subprocess
import sys

from ganbench.plumbing import quiet

INFO = b"I0000 00:00:1796162677.124658    2458 port.cc:153] oneDNN custom operations are on."
NODEDEF = (
    b"E0000 00:00:1796163229.592790    5828 node_def_util.cc:682] NodeDef mentions attribute "
    b"use_unbounded_threadpool which is not in the op definition"
)
REAL_ERROR = b"E0000 00:00:1796163229.592790    5828 op_kernel.cc:1818] OP_REQUIRES failed"


def test_native_info_warnings_and_known_harmless_errors_are_noise_and_real_errors_are_not():
    assert quiet.is_noise(INFO)
    assert quiet.is_noise(INFO.replace(b"I0000", b"W0000", 1))
    assert quiet.is_noise(NODEDEF)
    assert quiet.is_noise(b"WARNING: All log messages before absl::InitializeLog() is called")
    assert quiet.is_noise(b"Successfully registered model 'ganbench-sgan-classifier'.")
    assert quiet.is_noise(b"Created version '3' of model 'ganbench-sgan-classifier'.")
    assert not quiet.is_noise(b"Created versions of nothing")
    assert not quiet.is_noise(REAL_ERROR)
    assert not quiet.is_noise(b"train: error: params.yaml: sgan.z_dimm: unknown key")
    assert not quiet.is_noise(b" 45%|####5     | 3600/8000 [00:40<00:49, 88.0it/s]")


def test_a_noisy_native_line_behind_a_progress_bar_leaves_the_bar_alone():
    bar = b"  0%|          | 0/2 [00:00<?, ?it/s]"
    fallback = (
        b"E0000 00:00:1796176889.354113    9733 util.cc:131] oneDNN supports DT_INT32 only on "
        b"platforms with AVX-512. Falling back to the default Eigen-based implementation"
    )
    assert quiet.without_noise(bar + fallback) == bar
    assert quiet.without_noise(bar + REAL_ERROR) == bar + REAL_ERROR
    assert quiet.without_noise(NODEDEF) is None
    assert quiet.without_noise(bar) == bar


def test_the_filter_drops_noise_from_fd_2_and_keeps_the_rest_in_order():
    code = (
        "import os, sys\n"
        "from ganbench.plumbing import quiet\n"
        "quiet.filter_native_logs()\n"
        f"os.write(2, {INFO!r} + b'\\n')\n"
        f"os.write(2, {NODEDEF!r} + b'\\n')\n"
        f"os.write(2, {REAL_ERROR!r} + b'\\n')\n"
        "os.write(2, b'\\r 10%|#  | 1/10\\r 20%|## | 2/10')\n"
        "print('stage: error: the last line', file=sys.stderr)\n"
        "sys.exit(1)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GANBENCH_TF_LOGS"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env)
    assert result.returncode == 1
    err = result.stderr
    assert INFO not in err and NODEDEF not in err
    assert REAL_ERROR in err and b"2/10" in err
    assert err.rstrip().endswith(b"stage: error: the last line")  # drained before exit
