"""KINETIC schemes solved as NEURON 9.0.2 solves them (nocmodl's rows, scopmath's `sparse_thread` and
`_ss_sparse_thread`), against NEURON: three schemes written for this test, inserted together in a soma with hh
and driven to spike, at secondorder 0 and 2:

- `kcons`: eleven states (closed, open and inactivated, rates from v), CONSERVE, `STEADYSTATE sparse` in
  INITIAL and `METHOD sparse` in BREAKPOINT (the shape of ModelDB 145672's Kv4 schemes);
- `kfree`: the same reactions without CONSERVE: at STEADYSTATE (dt = 1e9) its matrix is singular but for the
  1e-9 on the diagonal, so the solver's round-off is amplified a billion times;
- `kstep`: `METHOD sparse` from states set in INITIAL, no STEADYSTATE;
- `knum` (below): two overlapping CONSERVEs and an array STATE, METHOD sparse only.

v to 1e-9 mV and the states to 1e-13 relative to their largest value. With secondorder, nocmodl follows the
INITIAL SOLVE with `x += dt*x'` too: bridge's omission of it left every state 2.5e-11 relative off (ModelDB
145672 ended 1.19e-5 mV off)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.hoc.test_live_run import CELL, _both, _same_vectors
from tests.nmodl.parity_child import run_with_parity_arithmetic

_HEAD = """
NEURON {{ SUFFIX {name}  USEION k READ ek WRITE ik  RANGE gbar }}
UNITS {{ (mA) = (milliamp)  (mV) = (millivolt) }}
PARAMETER {{ gbar = 0.0015 (S/cm2)  a0 = 3.5 (/ms)  za = 0.04 (/mV)  b0 = 0.12 (/ms)  zb = -0.055 (/mV)
            kci = 0.11 (/ms)  kic = 0.0021 (/ms)  f = 0.31  koi = 0.6 (/ms)  kio = 0.04 (/ms) }}
ASSIGNED {{ v (mV)  ek (mV)  ik (mA/cm2)  af (/ms)  bf (/ms) }}
STATE {{ C0 C1 C2 C3 C4 O I0 I1 I2 I3 I4 }}
BREAKPOINT {{
    SOLVE kin METHOD sparse
    ik = gbar*O*(v - ek)
}}
INITIAL {{ {initial} }}
KINETIC kin {{
    af = a0*exp(za*v)
    bf = b0*exp(zb*v)
    ~ C0 <-> C1 (4*af, bf)
    ~ C1 <-> C2 (3*af, 2*bf)
    ~ C2 <-> C3 (2*af, 3*bf)
    ~ C3 <-> C4 (af, 4*bf)
    ~ C4 <-> O (2.5*af, 0.7*bf)
    ~ C0 <-> I0 (kci*f*f, kic/(f*f))
    ~ C1 <-> I1 (kci*f, kic/f)
    ~ C2 <-> I2 (kci, kic)
    ~ C3 <-> I3 (kci/f, kic*f)
    ~ O <-> I4 (koi, kio)
    ~ I0 <-> I1 (4*af/f, bf*f)
    ~ I1 <-> I2 (3*af/f, 2*bf*f)
    ~ I2 <-> I3 (2*af/f, 3*bf*f)
    ~ I3 <-> I4 (af/f, 4*bf*f)
    {conserve}
}}
"""

SCHEMES = {
    "kcons": _HEAD.format(name="kcons", initial="SOLVE kin STEADYSTATE sparse",
                          conserve="CONSERVE C0 + C1 + C2 + C3 + C4 + O + I0 + I1 + I2 + I3 + I4 = 1"),
    "kfree": _HEAD.format(name="kfree", initial="C0 = 0.7  I0 = 0.3  SOLVE kin STEADYSTATE sparse", conserve=""),
    "kstep": _HEAD.format(name="kstep", initial="C0 = 0.6  C2 = 0.1  I1 = 0.3",
                          conserve="CONSERVE C0 + C1 + C2 + C3 + C4 + O + I0 + I1 + I2 + I3 + I4 = 1"),
}

# nocmodl's numbering: two overlapping CONSERVEs (the last statement takes its row first), states spread over
# first letters (upper case before lower case), one first met in the NEURON block (RANGE) so that the lexer's
# order differs from STATE's, and an array.
NUMBERING = """
NEURON { SUFFIX knum  RANGE A1, gbar  NONSPECIFIC_CURRENT i }
PARAMETER { gbar = 1e-4 (S/cm2)  kf = 0.3 (/ms)  kb = 0.2 (/ms) }
ASSIGNED { v (mV)  i (mA/cm2) }
STATE { A2 A1 b1 Bx B0 c[3] Z a0 }
BREAKPOINT {
    SOLVE kin METHOD sparse
    i = gbar*(A1 + Bx)*(v + 70)
}
INITIAL { A2 = 0.6  Bx = 0.4  b1 = 0.5  c[0] = 0.2 }
KINETIC kin {
    ~ A2 <-> A1 (kf, kb)
    ~ A1 <-> Bx (kf, kb)
    ~ Bx <-> B0 (kf, kb)
    ~ b1 <-> a0 (kf, kb)
    ~ a0 <-> c[0] (kf, kb)
    ~ c[0] <-> c[1] (kf, kb)
    ~ c[1] <-> c[2] (kf, kb)
    ~ c[2] <-> Z (kf, kb)
    CONSERVE A2 + A1 + Bx + B0 = 1
    CONSERVE Bx + B0 = 0.4
}
"""

STATES = ("C0", "C1", "C2", "C3", "C4", "O", "I0", "I1", "I2", "I3", "I4")


def _check(tmp_path, secondorder: int) -> None:
    mods = tmp_path / "mods"
    mods.mkdir()
    for name, text in {**SCHEMES, "knum": NUMBERING}.items():
        (mods / f"{name}.mod").write_text(text)
    states_of = {**{m: STATES for m in SCHEMES}, "knum": ("A2", "A1", "Bx", "B0", "b1", "a0", "Z")}
    vectors = [f"{m}_{s}" for m, names in states_of.items() for s in names]
    record = "".join(f"objref {v}\n{v} = new Vector()\n{v}.record(&soma.{v.split('_')[1]}_{v.split('_')[0]}(0.5))\n"
                     for v in vectors)
    _, ref, _, vecs, _ = _both(tmp_path, CELL + f"""
        secondorder = {secondorder}
        soma {{ insert kcons  insert kfree  insert kstep  insert knum }}
        {record}
        stim.del = 1
        stim.dur = 8
        stim.amp = 0.6
        tstop = 10
        run()
    """, vectors=("vs", "vd", "tv", *vectors), mod_dir=mods)
    states = {k: (ref.pop(k), vecs.pop(k)) for k in vectors}
    print(f"soma v from {np.min(ref['vs']):.4g} to {np.max(ref['vs']):.4g} mV")
    assert np.ptp(ref["vs"]) > 80  # the soma spikes
    _same_vectors(ref, vecs)
    for m, names in states_of.items():
        scale = max(float(np.max(np.abs(states[f"{m}_{s}"][0]))) for s in names)
        worst = max(float(np.max(np.abs(got - want))) for want, got in (states[f"{m}_{s}"] for s in names))
        first = max(abs(float(got[0] - want[0])) for want, got in (states[f"{m}_{s}"] for s in names))
        print(f"{m}: states max difference {worst / scale:.3g} relative to their largest value "
              f"(after finitialize {first / scale:.3g})")
        assert worst <= 1e-13 * scale, m


@pytest.mark.neuron
@pytest.mark.parametrize("secondorder", [0, 2])
def test_kinetic_sparse_schemes_match_neuron(tmp_path, secondorder):
    """In a fresh process with NEURON's arithmetic (no FMA, divisions as written: tests/nmodl/parity_child.py)."""
    run_with_parity_arithmetic(f"from pathlib import Path; from tests.nmodl.test_kinetic_sparse import _check; "
                               f"_check(Path({str(tmp_path)!r}), {secondorder})")


@pytest.mark.neuron
def test_state_numbering_is_nocmodls(tmp_path):
    """bridge's rows are in the order of the `_slist1` nocmodl 9.0.2 writes for the same file."""
    import re

    from bridge.nmodl.codegen.kinetic import scheme_states
    from bridge.nmodl.load import analyze_text
    from bridge.nmodl.syntax import ast
    from validation.neuron_run import compile_mod_files

    path = tmp_path / "knum.mod"
    path.write_text(NUMBERING)
    lib = compile_mod_files([path])
    (cpp,) = [p for p in lib.parent.rglob("knum.cpp")]
    slist = re.findall(r"_slist1\[(\d+)(?: ?\+ ?_i)?\] = \{(\w+)_columnindex", cpp.read_text())
    assert slist, cpp
    theirs: list[str] = []
    for _, name in sorted(slist, key=lambda e: int(e[0])):
        theirs += [f"{name}[{i}]" for i in range(3)] if name == "c" else [name]
    info = analyze_text(NUMBERING, str(path))
    block = next(b for b in info.program.items if isinstance(b, ast.KineticBlock))
    ours, rows = scheme_states(block, info)
    print("nocmodl:", theirs)
    assert theirs[2:4] == ["A2", "A1"]  # A1 met first (RANGE): A2 comes first
    assert list(ours) == theirs
    assert sorted(rows.values()) == ["B0", "Bx"]  # the second CONSERVE took B0, the first then Bx
