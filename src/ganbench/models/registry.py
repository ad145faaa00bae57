"""Every GAN family's record: its name, its params schema, what the stages need to know about
it, and where its TensorFlow module lives.

Kept free of TensorFlow imports so that params validation and the data stages stay light;
a family's TensorFlow module is imported only when its model is needed. Stages, report,
plots, study, repeats and benchmarks read these records; none of them names a family.
A new family is one package under models/ (its Config in __init__.py, its networks and
step in model.py, providing what `models.base.FamilyModule` declares) and one record here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from ganbench.models import acgan, dcgan, gan1d, sgan, sgan_fm, wgan
from ganbench.plumbing.errors import InputError


@dataclass(frozen=True)
class PublishedAccuracy:
    """A test accuracy the family's source reports at a label count, drawn beside the
    study's own (only figures checked against the source, with where they are in it)."""

    labels: int
    accuracy: float
    source: str  # e.g. "Salimans et al. 2016, Table 1"
    note: str = ""


@dataclass(frozen=True)
class Family:
    name: str
    config: type  # the frozen dataclass that validates the family's params.yaml section
    module: str  # import path of its TensorFlow module (a models.base.FamilyModule)
    label: str  # display name in the report and figures
    # Where the algorithm comes from: a seed notebook under shared/seeds/, or a paper.
    seed: str | None = None
    paper: str | None = None
    # Trained on the dataset's images and scored by the reference network. The others
    # (the 1-D GAN) learn a distribution whose Config provides target() -> (mean, std).
    images: bool = True
    conditional: bool = False  # the generator takes a class; samples cycle 0..9
    # The discriminator is a classifier of the labelled classes (a models.base
    # SemiSupervisedGan): the label study trains it, its test accuracy is reported.
    semi_supervised: bool = False
    # ... and its network is also trained supervised alone on the same labels (the module
    # is a models.base.SupervisedBaseline): the study's `supervised` method and ceiling.
    supervised_baseline: bool = False
    published: tuple[PublishedAccuracy, ...] = ()
    # What one step of its schedule is, as its seed counts (the x-axis of its curves).
    step_unit: str = "iteration"

    @property
    def source(self) -> str:
        return f"seed notebook {self.seed}" if self.seed else f"{self.paper}"


FAMILIES: dict[str, Family] = {}


def register(family: Family) -> Family:
    """Add (or replace) a family's record; the built-in ones are registered below."""
    FAMILIES[family.name] = family
    return family


for _record in (
    Family(
        "gan1d",
        gan1d.Config,
        "ganbench.models.gan1d.model",
        "vanilla GAN, 1-D",
        seed="003",
        images=False,
    ),
    Family(
        "dcgan", dcgan.Config, "ganbench.models.dcgan.model", "DCGAN", seed="002", step_unit="epoch"
    ),
    Family(
        "wgan",
        wgan.Config,
        "ganbench.models.wgan.model",
        "WGAN, weight clipping",
        seed="001",
        step_unit="generator step",
    ),
    Family(
        "acgan", acgan.Config, "ganbench.models.acgan.model", "ACGAN", seed="004", conditional=True
    ),
    Family(
        "sgan",
        sgan.Config,
        "ganbench.models.sgan.model",
        "SGAN (seed)",
        seed="000",
        semi_supervised=True,
        supervised_baseline=True,
    ),
    Family(
        "sgan_fm",
        sgan_fm.Config,
        "ganbench.models.sgan_fm.model",
        "SGAN, feature matching (Salimans et al.)",
        paper="the MNIST recipe of Salimans et al. 2016 (feature matching)",
        semi_supervised=True,
        # Their Table 1: test errors of 10,000 on permutation-invariant MNIST, mean over ten
        # labelled subsets: 1677 (20 labels), 221 (50), 93 (100), 90 (200).
        published=tuple(
            PublishedAccuracy(
                n,
                1 - errors / 10_000,
                "Salimans et al. 2016, Table 1",
                f"{errors} ± {spread} errors of 10,000",
            )
            for n, errors, spread in (
                (20, 1677, 452),
                (50, 221, 136),
                (100, 93, 6.5),
                (200, 90, 4.2),
            )
        ),
    ),
):
    register(_record)


class UnknownFamilyError(InputError):
    """A GAN name that no module implements."""


def family(name: str) -> Family:
    """The record of GAN family `name`."""
    if name not in FAMILIES:
        known = ", ".join(sorted(FAMILIES)) or "none registered"
        raise UnknownFamilyError(f"unknown GAN family {name!r} (expected one of {known})")
    return FAMILIES[name]


def module(name: str) -> ModuleType:
    """Import the TensorFlow module of GAN family `name`."""
    return importlib.import_module(family(name).module)


def with_supervised_baseline() -> Family:
    """The family whose classifier, trained alone on the labels, is the study's supervised
    network."""
    found = [f for f in FAMILIES.values() if f.supervised_baseline]
    if len(found) != 1:
        raise UnknownFamilyError(
            f"expected one family with a supervised baseline, found {[f.name for f in found]}"
        )
    return found[0]
