"""NEURON's temporary files go into the output folder: `DIR/neuron-temp/` (`bridge validate --out DIR`).

NEURON makes temporary files under `$TEMP` (/tmp when unset): `File.mktemp()` (src/ivoc/ocfile.cpp `f_mktemp`,
src/ivoc/pwman.cpp `ivoc_get_temp_file`: `mkstemp` on `$TEMP/nrnXXXXXX`), which NEURON's own NetGUI uses to
write and `xopen` its cell templates (share/lib/hoc/netbild/netgui.hoc `NetGUI.create`, ModelDB 33975).
`validation.write_guard` stops every write outside the output folder, so NEURON's side gets `TEMP` (and
`TMPDIR`, `TMP`) set to `DIR/neuron-temp/` (emptied first) and the guard allows exactly that folder besides the
copy of the model folder and the results file; the folder is removed after the run when NEURON left nothing
in it (NetGUI unlinks its file). Its files are not compared (bridge's side makes none: it does
not run NEURON's GUI tools). Without an output folder NEURON keeps its own `$TEMP`, and a temporary file
stops it, as every other write does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

NEURON_TEMP = "neuron-temp"


def temp_folder(output_dir: Path | None) -> Path | None:
    """`output_dir/neuron-temp/`, made empty (a link or file of that name is removed, not followed); None
    without an output folder."""
    if output_dir is None:
        return None
    folder = Path(output_dir) / NEURON_TEMP
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()
    elif folder.is_dir():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def temp_env(env: dict[str, str], folder: Path | None) -> dict[str, str]:
    """`env` with NEURON's temporary folder (`TEMP`, and `TMPDIR`/`TMP` for the C library and Python) set to
    `folder`; `env` itself when `folder` is None."""
    if folder is None:
        return env
    name = str(Path(folder).resolve())
    return {**env, "TEMP": name, "TMPDIR": name, "TMP": name}


def remove_if_empty(folder: Path | None) -> None:
    """Remove `folder` when NEURON left nothing in it."""
    if folder is not None and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
        folder.rmdir()
