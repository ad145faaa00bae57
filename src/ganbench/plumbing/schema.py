"""The machinery params.yaml's sections are declared and validated with: field checks, a
dataclass builder that collects every problem instead of stopping at the first, and the
flattening of a config into MLflow's dotted parameter names.

Free of TensorFlow and of every section's schema, so that each schema (a family's, a
stage's) can be declared anywhere without an import cycle.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any

# A check returns None when the value is fine, else what was expected; element-wise checks
# return one message per bad element, each starting with its index ("[2]: ...").
Check = Callable[[Any], str | list[str] | None]
NUM_CLASSES = 10


class ParamsError(ValueError):
    """One or more fields of params.yaml are invalid; the message lists all of them."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


# --- field checks: each returns a message describing what was expected, or None -------------


def positive(value: Any) -> str | None:
    return None if value > 0 else f"must be > 0, got {value!r}"


def non_negative(value: Any) -> str | None:
    return None if value >= 0 else f"must be >= 0, got {value!r}"


def unit_interval(value: Any) -> str | None:
    return None if 0 <= value <= 1 else f"must be in [0, 1], got {value!r}"


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        if value in choices:
            return None
        return f"must be one of {', '.join(choices)}, got {value!r}"

    return check


def each(check: Check) -> Check:
    """Apply `check` to every element; the message names the element's index."""

    def check_all(values: Any) -> list[str] | None:
        problems = [f"[{i}]: {msg}" for i, v in enumerate(values) if (msg := check(v))]
        return problems or None

    return check_all


def each_value(check: Check) -> Check:
    """Apply `check` to every value of a mapping; the message names the key."""

    def check_all(values: Any) -> list[str] | None:
        problems = [f"[{k!r}]: {msg}" for k, v in values.items() if (msg := check(v))]
        return problems or None

    return check_all


def balanced_label_count(value: Any) -> str | None:
    if value > 0 and value % NUM_CLASSES == 0:
        return None
    return f"must be a positive multiple of {NUM_CLASSES} for balanced sampling, got {value!r}"


def non_empty(values: Any) -> str | None:
    return None if len(values) > 0 else "must not be empty"


def checked(*checks: Check, default: Any = dataclasses.MISSING) -> Any:
    """A dataclass field carrying validation checks in its metadata."""
    if default is dataclasses.MISSING:
        return field(metadata={"checks": checks})
    return field(default=default, metadata={"checks": checks})


# --- generic dataclass builder ---------------------------------------------------------------


def _type_problem(value: Any, annotation: Any) -> str | None:
    """Return why `value` does not fit `annotation`, or None if it does."""
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(annotation)
        if any(_type_problem(value, opt) is None for opt in options):
            return None
        names = " or ".join(_type_name(o) for o in options)
        return f"must be {names}, got {value!r}"
    if origin in (dict, Mapping, collections.abc.Mapping):
        if not isinstance(value, Mapping):
            return f"must be a mapping, got {value!r}"
        key_type, value_type = typing.get_args(annotation)
        for key, item in value.items():
            if (msg := _type_problem(key, key_type)) is not None:
                return f"[{key!r}] key: {msg}"
            if (msg := _type_problem(item, value_type)) is not None:
                return _locate(f"[{key!r}]", msg)
        return None
    if origin is tuple:
        if not isinstance(value, list | tuple):
            return f"must be a list, got {value!r}"
        (item_type, *_rest) = typing.get_args(annotation)
        for i, item in enumerate(value):
            if (msg := _type_problem(item, item_type)) is not None:
                return _locate(f"[{i}]", msg)
        return None
    if annotation is type(None):
        return None if value is None else f"must be null, got {value!r}"
    if annotation is bool:
        return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"must be an integer, got {value!r}"
    if annotation is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and math.isfinite(value):
            return None
        return f"must be a finite number, got {value!r}"
    if annotation is str:
        return None if isinstance(value, str) else f"must be a string, got {value!r}"
    return None


def _type_name(annotation: Any) -> str:
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
    if annotation is type(None):
        return "null"
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _coerce(value: Any, annotation: Any) -> Any:
    """Turn YAML lists into tuples and ints into floats where the schema says so."""
    if typing.get_origin(annotation) is tuple:
        (item_type, *_rest) = typing.get_args(annotation)
        return tuple(_coerce(v, item_type) for v in value)
    if typing.get_origin(annotation) in (dict, Mapping, collections.abc.Mapping):
        key_type, value_type = typing.get_args(annotation)
        return types.MappingProxyType(
            {_coerce(k, key_type): _coerce(v, value_type) for k, v in value.items()}
        )
    if annotation is float and isinstance(value, int):
        return float(value)
    return value


def _locate(where: str, msg: str) -> str:
    """Prefix a message with the field path; element messages ("[2]: ...") attach directly."""
    return f"{where}{msg}" if msg.startswith("[") else f"{where}: {msg}"


def build(cls: type, raw: Any, path: str, problems: list[str]) -> Any:
    """Build dataclass `cls` from mapping `raw`, appending every problem found to `problems`.

    Returns None when the section is unusable; callers raise after collecting all problems.
    """
    if not isinstance(raw, Mapping):
        problems.append(f"{path}: must be a mapping, got {raw!r}")
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in fields:
            expected = ", ".join(sorted(fields))
            problems.append(f"{path}.{key}: unknown key (expected one of {expected})")
    values: dict[str, Any] = {}
    before = len(problems)
    for name, fld in fields.items():
        where = f"{path}.{name}"
        annotation = hints[name]
        if name not in raw:
            missing_default = (
                fld.default is dataclasses.MISSING and fld.default_factory is dataclasses.MISSING
            )
            if missing_default:
                problems.append(f"{where}: required field is missing")
            continue
        value = raw[name]
        if dataclasses.is_dataclass(annotation):
            values[name] = build(annotation, value, where, problems)
            continue
        if (msg := _type_problem(value, annotation)) is not None:
            problems.append(_locate(where, msg))
            continue
        value = _coerce(value, annotation)
        for check in fld.metadata.get("checks", ()):
            if (found := check(value)) is not None:
                found = [found] if isinstance(found, str) else found
                problems.extend(_locate(where, msg) for msg in found)
                break
        values[name] = value
    if len(problems) > before:
        return None
    return cls(**values)


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a config dataclass into dotted keys, as MLflow params are logged."""
    flat: dict[str, Any] = {}
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        key = f"{prefix}{fld.name}"
        if dataclasses.is_dataclass(value):
            flat.update(flatten(value, key + "."))
        else:
            flat[key] = value
    return flat
