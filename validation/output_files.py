"""The files a model writes, on both sides of a validation with an output folder (`bridge validate --out DIR`).

bridge's side writes into `DIR/model-output/` (`bridge.load_hoc(..., output_dir=)`, `bridge.hoc.outfiles`).
NEURON's side must not write into the user's model folder: it runs on a copy of the model folder in a
temporary folder (`copy_model_folder`, bounded in files and bytes; symbolic links and other non-regular
files are not copied), and afterwards the files that are new or written in the copy (a changed content or
modification time: a model that writes the very file its folder ships, as ModelDB 129149's
`NResults.res`, wrote it) are moved into
`DIR/neuron-output/` (`collect_written`), under their names relative to NEURON's working directory, as
bridge resolves a relative name against its output folder.

`compare_outputs` compares the two folders file by file (same relative names): a text file is split into
numbers and other words; the words must be equal and the numbers within the voltage tolerance [mV] (a
model's files hold traces in mV and ms). Any other file is compared byte for byte.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from bridge.errors import BridgeError

MAX_COPY_BYTES = 512 * 2**20  # the model folder NEURON's side runs in a copy of
MAX_COPY_FILES = 20000
MAX_COMPARE_BYTES = 64 * 2**20  # one written file read for the comparison

BRIDGE_OUTPUT = "model-output"
NEURON_OUTPUT = "neuron-output"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> str:
    """A file's modification time [ns] and sha256: what tells `collect_written` that it was written."""
    return f"{os.lstat(path).st_mtime_ns}:{_digest(path)}"


def copy_model_folder(src: Path, dst: Path) -> dict[str, str]:
    """Copy the regular files of `src` (recursively; links, FIFOs, devices left out) into `dst`; returns
    {relative name: `_stamp` of the copy} of what was copied. BridgeError past MAX_COPY_FILES files or
    MAX_COPY_BYTES."""
    src = Path(src).resolve()
    manifest: dict[str, str] = {}
    total = 0
    for folder, dirs, files in os.walk(src, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
        rel_folder = here.relative_to(src)
        (dst / rel_folder).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            path = here / name
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                continue
            total += st.st_size
            if len(manifest) >= MAX_COPY_FILES or total > MAX_COPY_BYTES:
                raise BridgeError(f"the model folder {src} is too large to copy for NEURON's run (more than "
                                  f"{MAX_COPY_FILES} files or {MAX_COPY_BYTES >> 20} MiB); NEURON runs on a copy "
                                  "when the model may write files (--out)")
            shutil.copyfile(path, dst / rel_folder / name, follow_symlinks=False)
            manifest[str(rel_folder / name)] = _stamp(dst / rel_folder / name)
    return manifest


def collect_written(copy_root: Path, manifest: dict[str, str], cwd: Path, dest: Path) -> list[str]:
    """Move the regular files of `copy_root` that are new or written since `manifest` into `dest`, named
    relative to `cwd` (NEURON's working directory in the copy; a file outside it keeps its name relative to
    `copy_root` under `dest/_outside/`). Returns the names written, sorted."""
    out = []
    for folder, dirs, files in os.walk(copy_root, followlinks=False):
        here = Path(folder)
        dirs[:] = [d for d in dirs if not (here / d).is_symlink()]
        for name in files:
            path = here / name
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            rel = str(path.relative_to(copy_root))
            if manifest.get(rel) == _stamp(path):
                continue
            try:
                target = str(path.relative_to(cwd))
            except ValueError:
                target = str(Path("_outside") / rel)
            (dest / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), dest / target)
            out.append(target)
    return sorted(out)


def written_files(folder: Path) -> list[str]:
    """The regular files under `folder`, by relative name, sorted (none when it does not exist)."""
    if not Path(folder).is_dir():
        return []
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file() and not p.is_symlink())


@dataclass
class FileComparison:
    """One written file: `status` "same", "differs", "only bridge" or "only NEURON"; `max_diff` the largest
    difference of the numbers of a text file (None: compared byte for byte, or missing); `note` says why."""

    name: str
    status: str
    max_diff: float | None = None
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "same"


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)", re.I)


def split_numbers(text: str) -> tuple[list[str], list[float]]:
    """A text as its non-number parts (whitespace collapsed) and its numbers."""
    words = [" ".join(w.split()) for w in _NUMBER.split(text)]
    return words, [float(m) for m in _NUMBER.findall(text)]


def compare_file(name: str, a: bytes, b: bytes, atol: float) -> FileComparison:
    """Compare bridge's bytes `a` with NEURON's `b` (see the module docstring)."""
    if a == b:
        return FileComparison(name, "same", 0.0 if a else None)
    try:
        ta, tb = a.decode("utf-8"), b.decode("utf-8")
    except UnicodeDecodeError:
        return FileComparison(name, "differs", note="binary files differ")
    (wa, na), (wb, nb) = split_numbers(ta), split_numbers(tb)
    if wa != wb or len(na) != len(nb):
        return FileComparison(name, "differs", note=f"the text differs ({len(na)} numbers vs {len(nb)})")
    worst = 0.0
    for x, y in zip(na, nb):
        if math.isnan(x) and math.isnan(y):
            continue
        d = abs(x - y) if math.isfinite(x) and math.isfinite(y) else (0.0 if x == y else math.inf)
        worst = max(worst, d)
    if worst <= atol:
        return FileComparison(name, "same", worst, note="numbers within tolerance")
    return FileComparison(name, "differs", worst, note=f"numbers differ by up to {worst:.3g} (tolerance {atol:g})")


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_COMPARE_BYTES:
        raise BridgeError(f"{path}: larger than {MAX_COMPARE_BYTES >> 20} MiB, not compared")
    return path.read_bytes()


def compare_outputs(bridge_dir: Path, neuron_dir: Path, atol: float) -> list[FileComparison]:
    """Every file either side wrote, compared (see the module docstring), sorted by name."""
    a, b = set(written_files(bridge_dir)), set(written_files(neuron_dir))
    out = []
    for name in sorted(a | b):
        if name not in b:
            out.append(FileComparison(name, "only bridge", note="NEURON did not write it"))
        elif name not in a:
            out.append(FileComparison(name, "only NEURON", note="bridge did not write it"))
        else:
            try:
                out.append(compare_file(name, _read(bridge_dir / name), _read(neuron_dir / name), atol))
            except BridgeError as err:
                out.append(FileComparison(name, "differs", note=str(err)))
    return out


def compare_case_outputs(output_dir: Path, atol: float) -> tuple[list[FileComparison], list[str]]:
    """The files of `output_dir/model-output` and `output_dir/neuron-output` compared, and a failure reason
    for each file that is not the same on both sides."""
    files = compare_outputs(Path(output_dir) / BRIDGE_OUTPUT, Path(output_dir) / NEURON_OUTPUT, atol)
    return files, [f"written file {f.name}: {f.status} ({f.note})" for f in files if not f.passed]
