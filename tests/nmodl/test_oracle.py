"""Differential tests: our parser against NEURON's own parsers.

- `neuron.nmodl` (the C++ NMODL framework in the neuron wheel): on every .mod file shipped in
  the wheel and on our examples, both accept and find the same mechanism name and kind,
  RANGE/GLOBAL/... names, STATEs, USEION reads/writes and top-level blocks; on the invalid
  snippets both refuse, at the same line.
- `nocmodl` (the translator NEURON uses): accepts every corpus file and refuses every
  invalid snippet that we refuse.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.errors import NmodlSyntaxError
from bridge.nmodl import ast, parse

from ._corpus import example_mod_files, neuron_share, wheel_mod_files
from .invalid_cases import INVALID

pytestmark = pytest.mark.neuron

ORACLE = Path(__file__).with_name("_nmodl_oracle.py")
FILES = wheel_mod_files() + example_mod_files()

_BLOCK_NAMES = {
    ast.NeuronBlock: "NeuronBlock", ast.UnitsBlock: "UnitBlock", ast.ParameterBlock: "ParamBlock",
    ast.AssignedBlock: "AssignedBlock", ast.StateBlock: "StateBlock", ast.ConstantBlock: "ConstantBlock",
    ast.IndependentBlock: "IndependentBlock", ast.InitialBlock: "InitialBlock", ast.BreakpointBlock: "BreakpointBlock",
    ast.DerivativeBlock: "DerivativeBlock", ast.KineticBlock: "KineticBlock", ast.LinearBlock: "LinearBlock",
    ast.NonLinearBlock: "NonLinearBlock", ast.DiscreteBlock: "DiscreteBlock", ast.ProcedureBlock: "ProcedureBlock",
    ast.FunctionBlock: "FunctionBlock", ast.FunctionTableBlock: "FunctionTableBlock",
    ast.NetReceiveBlock: "NetReceiveBlock", ast.ConstructorBlock: "ConstructorBlock",
    ast.DestructorBlock: "DestructorBlock",
}


def run_oracle(items: list[dict], tmp: Path) -> dict[str, dict]:
    out = tmp / "oracle.json"
    proc = subprocess.run([sys.executable, str(ORACLE), str(out)], input=json.dumps(items), capture_output=True,
                          text=True, timeout=300)
    if proc.returncode != 0:
        pytest.skip(f"neuron.nmodl is not usable here: {proc.stderr[-500:]}")
    return {r["name"]: r for r in json.loads(out.read_text())}


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


def our_facts(prog: ast.Program) -> dict:
    nrn = prog.neuron
    blocks = []
    for item in prog.items:
        if isinstance(item, ast.BeforeAfterBlock):
            blocks.append(["BeforeBlock" if item.when == "BEFORE" else "AfterBlock", ""])
        elif type(item) in _BLOCK_NAMES:
            named = isinstance(item, ast.NamedBlock.__args__)
            blocks.append([_BLOCK_NAMES[type(item)], item.name if named else ""])
    return {
        "kind": nrn.kind,
        "mechanism": nrn.name,
        "range": list(nrn.range),
        "global": list(nrn.global_),
        "nonspecific": list(nrn.nonspecific_currents),
        "electrode": list(nrn.electrode_currents),
        "pointer": list(nrn.pointers),
        "bbcore_pointer": list(nrn.bbcore_pointers),
        "external": list(nrn.externals),
        "random": list(nrn.randoms),
        "states": [d.name for d in prog.states],
        "ions": [[i.ion, list(i.read), list(i.write)] for i in nrn.ions],
        "blocks": blocks,
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_declared_names_agree_with_neuron_nmodl(path, oracle_files):
    theirs = oracle_files[str(path)]
    assert theirs["accepted"], theirs.get("error")
    ours = our_facts(parse(path.read_text(errors="replace"), filename=str(path)))
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
    for i, (source, *_rest) in enumerate(INVALID):
        assert not _nocmodl_accepts(exe, source, tmp_path, f"bad{i}"), source
