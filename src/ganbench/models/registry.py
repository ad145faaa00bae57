"""Name -> module of every GAN family.

Kept free of TensorFlow imports so that params validation and the data stages stay light;
a family's module (and TensorFlow) is imported only when its config or model is needed.
"""

from __future__ import annotations

import importlib
from types import ModuleType

FAMILIES: dict[str, str] = {
    "gan1d": "ganbench.models.gan1d",
    "dcgan": "ganbench.models.dcgan",
    "wgan": "ganbench.models.wgan",
    "acgan": "ganbench.models.acgan",
    "sgan": "ganbench.models.sgan",
    "sgan_fm": "ganbench.models.sgan_fm",  # not a seed: Salimans et al. 2016
}


class UnknownFamilyError(ValueError):
    """A GAN name that no module implements."""


def module(name: str) -> ModuleType:
    """Import the module of GAN family `name`."""
    if name not in FAMILIES:
        known = ", ".join(sorted(FAMILIES)) or "none registered"
        raise UnknownFamilyError(f"unknown GAN family {name!r} (expected one of {known})")
    return importlib.import_module(FAMILIES[name])


def config_class(name: str) -> type:
    """The frozen dataclass that validates params.yaml's section for family `name`."""
    return module(name).Config
