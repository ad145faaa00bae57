"""Every GAN family's record: its name, what the stages need to know about it, and where
its TensorFlow module lives.

Kept free of TensorFlow imports so that params validation and the data stages stay light;
a family's module (and TensorFlow) is imported only when its config or model is needed.
Stages, report, plots and study read these records; none of them names a family.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Family:
    name: str
    module: str  # import path of the family's TensorFlow module
    label: str  # display name in the report and figures
    # Where the algorithm comes from: a seed notebook under shared/seeds/, or a paper.
    seed: str | None = None
    paper: str | None = None
    images: bool = True  # trained on the dataset's images (False: the 1-D GAN)
    conditional: bool = False  # the generator takes a class; `generate` cycles 0..9
    # Networks the train stage exports beside the generator that classify the test set;
    # the first is the family's own classifier, the others baselines trained beside it.
    classifiers: tuple[str, ...] = ()

    @property
    def semi_supervised(self) -> bool:
        return bool(self.classifiers)


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family("gan1d", "ganbench.models.gan1d", "vanilla GAN, 1-D", seed="003", images=False),
        Family("dcgan", "ganbench.models.dcgan", "DCGAN", seed="002"),
        Family("wgan", "ganbench.models.wgan", "WGAN, weight clipping", seed="001"),
        Family("acgan", "ganbench.models.acgan", "ACGAN", seed="004", conditional=True),
        Family(
            "sgan",
            "ganbench.models.sgan",
            "SGAN (seed)",
            seed="000",
            classifiers=("classifier", "baseline"),
        ),
        Family(
            "sgan_fm",
            "ganbench.models.sgan_fm",
            "SGAN, feature matching (Salimans et al.)",
            paper="the MNIST recipe of Salimans et al. 2016 (feature matching)",
            classifiers=("classifier",),
        ),
    )
}


class UnknownFamilyError(ValueError):
    """A GAN name that no module implements."""


def family(name: str) -> Family:
    """The record of GAN family `name`."""
    if name not in FAMILIES:
        known = ", ".join(sorted(FAMILIES)) or "none registered"
        raise UnknownFamilyError(f"unknown GAN family {name!r} (expected one of {known})")
    return FAMILIES[name]


def module(name: str) -> ModuleType:
    """Import the module of GAN family `name`."""
    return importlib.import_module(family(name).module)


def config_class(name: str) -> type:
    """The frozen dataclass that validates params.yaml's section for family `name`."""
    return module(name).Config
