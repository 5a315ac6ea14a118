"""A GLOBAL ASSIGNED HOC sets (`foo_gread = 3`) is NEURON's one C variable, which the run reads
(bridge.hoc.global_assigned).

INITIAL that reads it before assigning it, a BREAKPOINT that reads a GLOBAL only HOC sets, HOC's value written in
the middle of a run, between runs, by a PROCEDURE HOC calls and by an FInitializeHandler: each our own .mod and HOC
file, run by real NEURON 9.0.2 and by bridge, the same printed values and traces within 1e-9 mV.
"""

from __future__ import annotations

import pytest

from tests.hoc.test_carried_runs import _carried_exact, _mods, _neuron, _runs

GREAD = """
NEURON {
  SUFFIX gread
  GLOBAL foo, bar, baz
  RANGE x, g
  NONSPECIFIC_CURRENT i
}
PARAMETER { g = 1e-4 (S/cm2) }
ASSIGNED { v (mV) i (mA/cm2) foo bar baz x }
INITIAL {
  if (foo == 0) { foo = 1 }
  x = twice()
  baz = 1
}
FUNCTION twice() { twice = foo*2 }
PROCEDURE setfoo() { foo = 5 }
BREAKPOINT { i = g*(x + bar + baz)*(v + 65) }
"""

# three segments (three instances of gread in bridge's run, one C variable in NEURON's)
HOC = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 nseg = 3 insert hh insert gread }
objref stim, vs
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 2
stim.amp = 0.1
vs = new Vector()
vs.record(&soma.v(0.5))
tstop = 5
"""

SHOW = 'run()\n{printf("%.17g %.17g %.17g\\n", soma.x_gread(0.1), soma.x_gread(0.9), soma.v(0.5))}\n'

CASES = {
    # INITIAL reads foo before assigning it: NEURON's first run starts from HOC's 3 (x = 6), the second from what
    # the first left (3 again), the third from HOC's 0 (INITIAL sets 1: x = 2)
    "read by INITIAL, set before the first run": ("foo_gread = 3\n", "", "foo_gread = 0\n", (6, 6, 2)),
    "set between runs": ("", "foo_gread = 4\n", "", (2, 8, 8)),
    # bar: no statement assigns it; BREAKPOINT reads HOC's value in every step of every run
    "read by BREAKPOINT only, never assigned": ("bar_gread = 2\n", "", "bar_gread = 0.5\n", (2, 2, 2)),
    # a PROCEDURE HOC calls writes NEURON's variable (the mechanism's FUNCTION then reads it in INITIAL)
    "written by a PROCEDURE HOC calls": ("setfoo_gread()\n", "foo_gread = 0.25\n", "setfoo_gread()\n",
                                         (10, 0.5, 10)),
}


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(CASES))
def test_hoc_value_reaches_the_run(tmp_path, case):
    """Three runs, HOC setting the GLOBAL before some: every printed x and v and every run's trace as NEURON's."""
    first, second, third, xs = CASES[case]
    mod_dir = _mods(tmp_path, gread=GREAD)
    text = _runs(HOC, 3) % (first + SHOW, second + SHOW, third + SHOW)
    printed, _ = _carried_exact(tmp_path, text, mod_dir, 3)
    assert [float(ln.split()[0]) for ln in printed] == list(xs), printed
    assert all(ln.split()[0] == ln.split()[1] for ln in printed), printed  # every segment the same


@pytest.mark.neuron
def test_value_set_in_the_middle_of_a_run(tmp_path):
    """baz, which INITIAL sets to 1, set to 5 after finitialize() and before the steps: NEURON's steps read 5,
    bridge's run takes it into every instance's copy (the trace differs from one without the write)."""
    mod_dir = _mods(tmp_path, gread=GREAD)
    show = '{printf("%.17g\\n", soma.v(0.5))}\n'
    text = HOC + "stdinit()\ncontinuerun(2)\nbaz_gread = 5\ncontinuerun(5)\n" + show + "objref r1\nr1 = vs.c\n"
    printed, _ = _carried_exact(tmp_path, text, mod_dir, 1)
    other = _neuron(tmp_path, HOC + "run()\n" + show, mod_dir)
    assert other != printed, (other, printed)


@pytest.mark.neuron
def test_value_set_by_an_finitialize_handler(tmp_path):
    """An FInitializeHandler of type 0 (before INITIAL) sets foo: INITIAL reads its value in both."""
    mod_dir = _mods(tmp_path, gread=GREAD)
    text = _runs(HOC + 'objref fih\nfih = new FInitializeHandler(0, "foo_gread = 1.5")\n', 2) % (SHOW, SHOW)
    printed, _ = _carried_exact(tmp_path, text, mod_dir, 2)
    assert [float(ln.split()[0]) for ln in printed] == [3, 3], printed


@pytest.mark.neuron
def test_value_waits_for_a_run_with_the_mechanism(tmp_path):
    """foo set while no section has gread, then gread inserted: NEURON's INITIAL reads HOC's value."""
    mod_dir = _mods(tmp_path, gread=GREAD)
    text = _runs(HOC.replace(" insert gread", ""), 2) % (
        'foo_gread = 3\nrun()\n{printf("%.17g\\n", soma.v(0.5))}\n', "soma insert gread\n" + SHOW)
    printed, _ = _carried_exact(tmp_path, text, mod_dir, 2)
    assert float(printed[1].split()[0]) == 6, printed


# a point process's GLOBAL only HOC sets, and an artificial cell's period INITIAL reads before assigning it
POINT = """
NEURON { POINT_PROCESS PG GLOBAL gq RANGE g NONSPECIFIC_CURRENT i }
PARAMETER { g = 1e-3 (uS) }
ASSIGNED { v (mV) i (nA) gq }
BREAKPOINT { i = g*gq*(v + 65) }
"""

CELL = """
NEURON { ARTIFICIAL_CELL AG GLOBAL per }
ASSIGNED { per (ms) }
INITIAL { if (per == 0) { per = 2 } net_send(per, 1) }
NET_RECEIVE (w) { if (flag == 1) { net_event(t) net_send(per, 1) } }
"""

NET = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref cell, syn, nc, vs, p
cell = new AG()
soma syn = new ExpSyn(0.5)
syn.tau = 2
nc = new NetCon(cell, syn)
nc.weight = 0.02
nc.delay = 1
soma p = new PG(0.5)
vs = new Vector()
vs.record(&soma.v(0.5))
tstop = 15
"""


@pytest.mark.neuron
def test_point_process_and_artificial_cell_globals(tmp_path):
    """gq_PG and per_AG set before each of two runs: NEURON's BREAKPOINT and INITIAL read them; exact."""
    mod_dir = _mods(tmp_path, pg=POINT, ag=CELL)
    show = 'run()\n{printf("%.17g\\n", soma.v(0.5))}\n'
    text = _runs(NET, 2) % ("gq_PG = 2\nper_AG = 3\n" + show, "gq_PG = 0.5\nper_AG = 1.5\n" + show)
    printed, hoc = _carried_exact(tmp_path, text, mod_dir, 2)
    assert printed[0] != printed[1], printed
    assert hoc.live.carry == {"PG": {"gq": 0.5}, "AG": {"per": 1.5}}
