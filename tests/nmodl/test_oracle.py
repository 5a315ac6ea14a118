"""Differential tests: our parser against NEURON's own parsers.

- `neuron.nmodl` (the C++ NMODL framework in the neuron wheel): on every .mod file shipped in
  the wheel and on our examples, both accept and find the same mechanism name and kind,
  RANGE/GLOBAL/... names, STATE, PARAMETER and ASSIGNED names, USEION reads/writes and
  top-level blocks; on the invalid snippets both refuse, at the same line.
- `nocmodl` (the translator NEURON uses): accepts every corpus file, refuses every invalid
  snippet that we refuse, and translates `to_nmodl`'s reprint of each file to the same C++.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bridge.errors import BridgeError, NmodlSyntaxError
from bridge.nmodl import parse
from validation.corpus import bridge_facts, nmodl_facts

from ._corpus import example_mod_files, neuron_share, wheel_mod_files
from .invalid_cases import INVALID, INVALID_NOCMODL_ONLY

pytestmark = pytest.mark.neuron

FILES = wheel_mod_files() + example_mod_files()


def run_oracle(items: list[dict], tmp: Path) -> dict[str, dict]:
    try:
        return nmodl_facts(items, tmp)
    except BridgeError as err:
        pytest.skip(str(err))


@pytest.fixture(scope="module")
def oracle_files(tmp_path_factory):
    if not FILES:
        pytest.skip("neuron wheel not installed")
    items = [{"name": str(p), "text": p.read_text(errors="replace")} for p in FILES]
    return run_oracle(items, tmp_path_factory.mktemp("oracle"))


@pytest.fixture(scope="module")
def oracle_invalid(tmp_path_factory):
    items = [{"name": str(i), "text": c[0]} for i, c in enumerate(INVALID)]
    return run_oracle(items, tmp_path_factory.mktemp("oracle"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_declared_names_agree_with_neuron_nmodl(path, oracle_files):
    theirs = oracle_files[str(path)]
    assert theirs["accepted"], theirs.get("error")
    ours = bridge_facts(parse(path.read_text(errors="replace"), filename=str(path)))
    theirs = {k: v for k, v in theirs.items() if k not in ("name", "accepted")}
    assert ours == theirs


@pytest.mark.parametrize("index", range(len(INVALID)), ids=[repr(c[0])[:40] for c in INVALID])
def test_invalid_snippets_rejected_by_neuron_nmodl_too(index, oracle_invalid):
    source, line, column, _ = INVALID[index]
    with pytest.raises(NmodlSyntaxError):
        parse(source)
    theirs = oracle_invalid[str(index)]
    assert not theirs["accepted"]
    assert theirs["line"] == line, theirs["error"]


def _nocmodl() -> Path | None:
    share = neuron_share()
    if share is None:
        return None
    exe = share.parent / "bin" / "nocmodl"
    return exe if exe.exists() else (Path(shutil.which("nocmodl")) if shutil.which("nocmodl") else None)


def _nocmodl_accepts(exe: Path, text: str, tmp: Path, name: str) -> bool:
    mod = tmp / f"{name}.mod"
    mod.write_text(text)
    proc = subprocess.run([str(exe), mod.name], cwd=tmp, capture_output=True, text=True, timeout=60)
    return proc.returncode == 0


def test_nocmodl_accepts_every_corpus_file_and_refuses_every_invalid_snippet(tmp_path):
    exe = _nocmodl()
    if exe is None:
        pytest.skip("nocmodl not found")
    for i, path in enumerate(FILES):
        assert _nocmodl_accepts(exe, path.read_text(errors="replace"), tmp_path, f"ok{i}"), path
    for i, (source, *_rest) in enumerate(INVALID + INVALID_NOCMODL_ONLY):
        assert not _nocmodl_accepts(exe, source, tmp_path, f"bad{i}"), source


def _nocmodl_cpp(exe: Path, text: str, folder: Path, name: str) -> str:
    """nocmodl's C++ for `text`, without the embedded source text, spaces and parentheses."""
    folder.mkdir()
    (folder / f"{name}.mod").write_text(text)
    proc = subprocess.run([str(exe), f"{name}.mod"], cwd=folder, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cpp = (folder / f"{name}.cpp").read_text(errors="replace")
    cpp = cpp.split("#if NMODL_TEXT")[0]  # the .mod text NEURON keeps for help, and nothing after it
    cpp = re.sub(r'ivoc_help\(".*?"\);', "", cpp)  # holds the file's path
    return re.sub(r"[()\s]", "", cpp)  # we print only the parentheses precedence needs


def test_nocmodl_translates_what_to_nmodl_prints_to_the_same_code(tmp_path):
    """The printer writes NMODL that NEURON accepts and translates to the same C++ as the original."""
    from bridge.nmodl import parse_file, to_nmodl

    exe = _nocmodl()
    if exe is None:
        pytest.skip("nocmodl not found")
    for i, path in enumerate(FILES):
        original = _nocmodl_cpp(exe, path.read_text(errors="replace"), tmp_path / f"a{i}", path.stem)
        printed = _nocmodl_cpp(exe, to_nmodl(parse_file(path)), tmp_path / f"b{i}", path.stem)
        assert printed == original, path


def _mutants(count: int, seed: int) -> list[str]:
    """Corpus files with one random edit each (an inserted, deleted or replaced piece)."""
    import random

    pieces = ["{", "}", "(", ")", "[", "]", "=", "~", "<->", "<<", "->", "'", ",", "-", "^", "\n", "LOCAL", "SOLVE",
              "if", "else", "FROM", "TO", "TABLE", "1.5e-3", "(mV)", "2", "x", "<", ">", "&&", "||", "!", "*", "+",
              "/", "UNITSOFF", "WATCH", "PROTECT", "@", "CONSERVE", "2 A", "<=", "==", "STATE"]
    sources = [p.read_text(errors="replace") for p in FILES]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = rng.choice(sources)
        i, kind, piece = rng.randrange(len(text) + 1), rng.choice(["insert", "delete", "replace"]), rng.choice(pieces)
        if kind == "insert":
            text = f"{text[:i]} {piece} {text[i:]}"
        elif kind == "delete":
            text = text[:i] + text[i + rng.randint(1, 8):]
        else:
            text = text[:i] + piece + text[i + 1:]
        out.append(text)
    return out


def test_mutated_files_accepted_as_neuron_accepts_them(tmp_path):
    """400 seeded one-edit mutants: bridge accepts a mutant exactly when neuron.nmodl does, and
    where the two differ (neuron.nmodl leaves some checks to later passes), nocmodl sides with bridge."""
    exe = _nocmodl()
    if exe is None or not FILES:
        pytest.skip("NEURON not installed")
    texts = _mutants(400, seed=12345)
    theirs = run_oracle([{"name": str(i), "text": t} for i, t in enumerate(texts)], tmp_path)
    differ = 0
    for i, text in enumerate(texts):
        try:
            parse(text)
            ours = True
        except NmodlSyntaxError:
            ours = False
        if ours != theirs[str(i)]["accepted"]:
            differ += 1
            assert ours == _nocmodl_accepts(exe, text, tmp_path, f"mutant{i}"), text
    assert differ < 20  # a handful: unclosed COMMENT, CONSERVE outside KINETIC, ...
