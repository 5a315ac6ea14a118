"""The vecevent.mod (NEURON's VecStim) that PyPI packages ship, for the tests of its substitution.

NEURON 9.0.2's wheel has no vecevent.mod and third-party files are never copied into the repository, so
the tests take it from a package's distribution (downloaded with pip at test time, cached by
validation.corpus in ~/.cache/bridge/corpus). Which of NEURON's versions each copy is (the SHA-256 of
its normalised text, bridge.nmodl.vecevent.KNOWN):
- hnn-core (sdist): NEURON's 2021-10 version (nrn 3ebf32d27, the one NEURON 9.0.2 has), `BBCOREPOINTER ptr`,
  its COMMENT block rewritten by hnn-core (comments do not count);
- bmtk (wheel): NEURON's 2009-06 version (nrn a5f8c3421), the Vector kept in `ASSIGNED space`.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

SHIPPED = {
    "hnn-core": "838b666f7502b6e21cd57786ab0166f5d363507b08b357b643531f9ac41866fa",
    "bmtk": "81b7400bdaae750203a9a686df1d4aa20e4f706f9704505edf7a71bc3d533c78",
}


def shipped_vecevent(package: str) -> Path:
    """The vecevent.mod inside `package`'s distribution on PyPI; skips the test when it cannot be
    downloaded (offline)."""
    import pytest  # noqa: PLC0415

    from bridge.errors import BridgeError  # noqa: PLC0415
    from validation.corpus import cache_root, download  # noqa: PLC0415

    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    try:
        with open(root / f".{package}.lock", "w") as lock:  # test workers in parallel: one download
            fcntl.flock(lock, fcntl.LOCK_EX)
            folder = download(package, root)
    except BridgeError as exc:
        pytest.skip(f"cannot download {package} from PyPI (offline?): {exc}")
    found = sorted(folder.rglob("vecevent.mod"))
    assert len(found) == 1, f"{package} ships {len(found)} vecevent.mod files: {found}"
    return found[0]
