"""Helpers for the NMODL front-end tests: where NEURON's own .mod files and our examples are."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def neuron_share() -> Path | None:
    """`<site-packages>/neuron/.data/share` of the installed NEURON wheel, found without importing neuron."""
    spec = importlib.util.find_spec("neuron")
    if spec is None or spec.origin is None:
        return None
    share = Path(spec.origin).parent / ".data" / "share"
    return share if share.is_dir() else None


def wheel_mod_files() -> list[Path]:
    """Every .mod file shipped in the neuron wheel (modfile/ and nrn/demo/release/)."""
    share = neuron_share()
    if share is None:
        return []
    files = sorted((share / "modfile").glob("*.mod")) + sorted((share / "nrn" / "demo" / "release").glob("*.mod"))
    return files


EXAMPLE_MOD_DIR = Path(__file__).resolve().parents[2] / "examples" / "cell" / "mod"


def example_mod_files() -> list[Path]:
    return sorted(EXAMPLE_MOD_DIR.glob("*.mod"))

