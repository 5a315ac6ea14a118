"""Model text never becomes code: hostile file names, comments, TITLEs, units and strings.

The generated mechanism module is executed, so every piece of a .mod file that reaches it
(the file name, source lines copied into comments, ...) is a way in. Each hostile string
below would run `touch PWNED` (or break the module) if it reached the source unescaped;
it goes through `load_text`, `load_mod`, `load_mechanisms`, `bridge translate` and
`load_hoc(..., mechanisms=folder).to_model()`, and the outcome must be a working
mechanism or a BridgeError, with no PWNED file.
"""

from __future__ import annotations

import os

import jax.numpy as jnp
import numpy as np
import pytest

import bridge
from bridge.cli import main as cli_main
from bridge.errors import BridgeError
from bridge.mechanisms.protocol import Env
from bridge.nmodl.load import load_mechanisms, load_mod, load_text, translate
from bridge.nmodl.runtime.mechanism import TranslatedMechanism

RUN = '__import__("os").system("touch PWNED")'
HOSTILE = [
    f'x""";{RUN};"""',
    f"x''';{RUN};'''",
    f"\n{RUN}\n#",
    f"\r{RUN}\r#",
    f"\r\n{RUN}\r\n#",
    f"\x0c{RUN}",
    f"\x0b\x1c\x1d\x1e\x85{RUN}",
    f"\u2028{RUN}\u2029",
    "\\",
    '\\"""\\',
    "\t'\"",
    "é\U0001f600\ufeff\u200b",  # non-ASCII, an emoji, BOM and a zero-width space
]
NUL = f"\x00{RUN}"


def mod_text(suffix: str, hostile: str = "", where: str = "") -> str:
    """A leak channel with `hostile` placed `where` (a TITLE, a COMMENT, a `:` comment on a
    statement line, units, a printf string, VERBATIM comment text, a group of VERBATIM's `#if 0`, the value of
    a VERBATIM `#define`)."""
    title = f"TITLE {hostile}\n" if where == "title" else ""
    comment = f"COMMENT\n{hostile}\nENDCOMMENT\n" if where == "comment" else ""
    line_comment = f" : {hostile}" if where == "line_comment" else ""
    units = f"({hostile})" if where == "units" else "(mV)"
    printf = f'    printf("{hostile}")\n' if where == "printf" else ""
    verbatim = {"verbatim": f"VERBATIM\n/* {hostile} */\nENDVERBATIM\n",
                "verbatim_skipped": f"VERBATIM\n#if 0\n{hostile}\n#endif\nENDVERBATIM\n",
                "verbatim_define": f"VERBATIM\n#define HOSTILE {hostile}\nENDVERBATIM\n"}.get(where, "")
    return (f"{title}{comment}NEURON {{ SUFFIX {suffix} RANGE g, e NONSPECIFIC_CURRENT i }}\n"
            f"PARAMETER {{ g = 0.001 (S/cm2) e = -70 (mV) }}\n"
            f"ASSIGNED {{ v (mV) i (mA/cm2) }}\n"
            f"{verbatim}"
            f"BREAKPOINT {{\n{printf}    i = g*(v - e*1 {units}){line_comment}\n}}\n")


def _works(mech: TranslatedMechanism) -> None:
    """The mechanism computes g*(v - e) (mA/cm2)."""
    env = Env(t=0.0, dt=0.025, celsius=6.3, globals={})
    i, _, _ = mech.current({"g": 0.001, "e": -70.0}, {}, jnp.array([-65.0]), {}, env)
    assert np.allclose(np.asarray(i), 0.001 * 5.0)


def _outcome(call) -> TranslatedMechanism | BridgeError:
    try:
        return call()
    except BridgeError as err:
        return err


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    """Run in an empty folder, where the payload would create PWNED."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work
    assert not (work / "PWNED").exists(), "model text ran as code"


WHERE = ["title", "comment", "line_comment", "units", "printf", "verbatim", "verbatim_skipped", "verbatim_define"]


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("index", range(len(HOSTILE) + 1))
def test_hostile_text_in_the_file_is_never_code(index, where, cwd):
    hostile = (HOSTILE + [NUL])[index]
    text = mod_text(f"t{index}{where}", hostile, where)
    result = _outcome(lambda: load_text(text, "hostile.mod"))
    if isinstance(result, TranslatedMechanism):
        _works(result)
        src = translate(text, "hostile.mod")
        assert all(ch.isprintable() or ch == "\n" for ch in src)  # nothing raw reaches the source


@pytest.mark.parametrize("index", range(len(HOSTILE) + 1))
def test_hostile_file_names_given_to_load_text_are_never_code(index, cwd):
    name = (HOSTILE + [NUL])[index] + ".mod"
    text = mod_text(f"n{index}")
    mech = load_text(text, name)
    _works(mech)
    assert mech.source_file == name
    src = translate(text, name)
    assert all(ch.isprintable() or ch == "\n" for ch in src)


def _hostile_file(folder, index: int):
    """A .mod file named by HOSTILE[index] in `folder` (None where the file system refuses the name)."""
    folder.mkdir()
    path = folder / (HOSTILE[index] + ".mod")
    try:
        path.write_text(mod_text(f"f{index}"))
    except (OSError, ValueError):
        return None
    return path


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_hostile_file_names_are_never_code(index, cwd, tmp_path, capsys):
    path = _hostile_file(tmp_path / "mod", index)
    if path is None:
        pytest.skip("the file system refuses this name")
    for load in (lambda: load_mod(path), lambda: load_mechanisms(path.parent)[f"f{index}"]):
        result = _outcome(load)
        assert isinstance(result, TranslatedMechanism), result
        _works(result)
    assert cli_main(["translate", str(path)]) == 0
    out = capsys.readouterr().out
    assert all(ch.isprintable() or ch == "\n" for ch in out)
    hoc = tmp_path / "cell.hoc"
    hoc.write_text(f"create soma\naccess soma\nsoma insert f{index}\n")
    result = _outcome(lambda: bridge.load_hoc(hoc, mechanisms=path.parent).to_model())
    assert isinstance(result, bridge.Model), result
    assert f"f{index}" in result.mechanisms


def test_the_payload_would_run_if_it_were_code(cwd):
    """The sentinel works: the same payload, executed, creates PWNED (then removed)."""
    exec(RUN)  # noqa: S102
    assert (cwd / "PWNED").exists()
    os.remove(cwd / "PWNED")
