"""Errors of the heavy modules that mean the input or the environment is wrong, declared
here, free of TensorFlow and MLflow, so that a stage's command-line wrapper can catch them
(ganbench.plumbing.cli) without importing either before it has validated its params."""

from __future__ import annotations


class TrackingError(RuntimeError):
    """The tracking store cannot be used; raised before any work starts."""


class ReferenceError(ValueError):
    """The pinned reference network is missing, or its weights are not the pinned ones."""


class InputError(ValueError):
    """A file or option given on the command line is not what the command expects."""


class RunFailed(RuntimeError):
    """A part of a long run (a seed, a study cell) failed; its log has the reason."""


class DeterminismError(RuntimeError):
    """An op has no deterministic kernel on this device and determinism was asked for."""
