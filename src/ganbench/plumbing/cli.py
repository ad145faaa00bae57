"""What every stage script shares: one-line errors and a non-zero exit on bad input."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ganbench.plumbing import quiet
from ganbench.plumbing.atomic import OutputError
from ganbench.plumbing.errors import InputError, ReferenceError, RunFailed, TrackingError
from ganbench.plumbing.schema import ParamsError

# Errors that mean "the input or environment is wrong", reported as one line, exit 1.
# Anything else is a bug and keeps its traceback. The data and model layers' own errors
# (a malformed IDX file, an unknown family, ...) are InputErrors, so nothing here reaches
# up into them.
USER_ERRORS: tuple[type[BaseException], ...] = (
    ParamsError,
    OutputError,
    TrackingError,
    FileNotFoundError,
    ReferenceError,
    InputError,
    RunFailed,
    FloatingPointError,  # training.NonFiniteLossError, without importing TensorFlow here
)
EXIT_USER_ERROR = 1
EXIT_INTERRUPTED = 130


def run_stage(stage: str, main: Callable[[], None]) -> None:
    """Run a stage's main; turn expected failures into `<stage>: error: <message>`.
    TensorFlow's info and warning lines are filtered out of the output (ganbench.plumbing.quiet)."""
    quiet.filter_native_logs()
    try:
        main()
    except USER_ERRORS as err:
        message = " ".join(str(err).split())
        print(f"{stage}: error: {message}", file=sys.stderr)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt as err:
        detail = f" ({err})" if str(err) else ""
        print(f"{stage}: interrupted{detail}", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
