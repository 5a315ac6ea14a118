"""KSChan channels defined from HOC (bridge.hoc.kschan, bridge.mechanisms.kschan) and by the
ChannelBuilder's session files (NEURON's chanbild.hoc run by bridge), against real NEURON.

The HOC files in tests/hoc/kschan/ are ours: HH-style gates with each rate function type
(linoid, exp, sigmoid; Borg-Graham inf/tau, a table), inf/tau and alpha/beta transitions,
ion and non-specific channels, kinetic schemes, GHK and "Nernst" currents (ghk.hoc) and point
processes (point.hoc). The session files in tests/hoc/builders/
(chanbuild_*.ses) are ours too, written in the format ChannelBuild.save writes (chanbild1.hoc
`save`, properties.hoc/ksgate.hoc/kstgui.hoc `save_data`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import bridge
from bridge.errors import BridgeError
from bridge.testing import assert_matches_neuron
from tests.nmodl.parity_child import run_with_parity_arithmetic

DATA = Path(__file__).resolve().parent / "kschan"
BUILDERS = Path(__file__).resolve().parent / "builders"


def _parity(name: str, tstop: float, recordings: list[str], atol: float = 1e-9):
    result = assert_matches_neuron(DATA / name, {"tstop": tstop, "dt": 0.025, "recordings": recordings}, atol=atol)
    print(f"max |dV| {name}:", result.comparison.max_dv)
    return result


@pytest.mark.neuron
def test_hh_style_kschan_matches_neuron():
    """hh's sodium and potassium channels rebuilt as KSChans (linoid, exp and sigmoid rates)."""
    _parity("hh_style.hoc", 20.0, ["soma(0.5).v", "dend(0.9).v"])


@pytest.mark.neuron
def test_kschan_rate_types_match_neuron():
    """A non-specific KSChan: Borg-Graham inf/tau (types 5, 6) and a rate table (type 7)."""
    _parity("rates.hoc", 40.0, ["soma(0.5).v", "dend(0.9).v"])


@pytest.mark.neuron
def test_borg_graham_pair_initialises_with_f1s_own_parameters():
    """An alpha/beta HH gate whose f0 is Borg-Graham inf (type 5) and f1 Borg-Graham tau (type 6) with other
    parameters: finitialize's inf(v) evaluates f1 on its own (kschan.h KSTransition::inf), the step takes f0's
    tau (KSTransition::inftau). bridge used f0's tau at initialisation too: 1.81 mV off NEURON."""
    _parity("bg_pair.hoc", 20.0, ["soma(0.5).v", "soma(0.5).w_bgk"])


def test_kschan_names_and_structure():
    s = bridge.HocSession()
    s("objref ks, st, tr, pv\nstrdef nm, io")
    s("ks = new KSChan(0)")
    s("nm = ks.name")
    assert s.nm == "Chan0"
    s('{ ks.name("kx")  ks.ion("k")  ks.gmax(0.2) }')
    s("nm = ks.name\nio = ks.ion")
    assert (s.nm, s.io) == ("kx", "k")
    s('st = ks.add_hhstate("n")')
    s("{ st.gate.power(4) }")
    s("x1 = ks.nstate\nx2 = ks.ngate\nx3 = ks.ntrans\nx4 = st.gate.power\nx5 = ks.gmax")
    assert (s.x1, s.x2, s.x3, s.x4, s.x5) == (1.0, 1.0, 1.0, 4.0, 0.2)
    s("create soma")
    s("soma { insert kx  gmax_kx = 0.3 }")
    s("soma x6 = gmax_kx(0.5)")
    assert s.x6 == 0.3


@pytest.mark.neuron
def test_point_process_kschan_matches_neuron():
    """KSChan point processes (`new KSChan(1)`, as ChannelBuild(0) makes them): an HH-style ohmic sodium channel
    (gmax [uS]) at two places, a GHK potassium channel (pmax [cm3/s]) at two, and a non-specific kinetic scheme
    moved by loc(); the cell spikes. Their currents are nA, scaled by 1e2/area into the node; di/dv is NEURON's
    (kschan.cpp KSPPIv::jacob, KSPPIvghk::jacob)."""
    _parity("point.hoc", 40.0, ["soma(0.5).v", "dend(0.7).v", "dend(0.1).v", "ppks[0].i", "ppkghk[0].i"])


def _check_ghk(path: str) -> None:
    """Run in the child (parity arithmetic): ghk.hoc against NEURON, bit for bit where the C library's exp is
    glibc's."""
    from bridge.nmodl.runtime import glibc_exp

    result = assert_matches_neuron(Path(path), {"tstop": 40.0, "dt": 0.025, "recordings": [
        "soma(0.5).v", "dend(0.9).v", "soma(0.5).ina", "soma(0.5).ek", "soma(0.5).ik"]})
    print("max |dV| ghk.hoc:", result.comparison.max_dv)
    assert glibc_exp.c_library_variant() is None or result.comparison.max_dv == 0.0


@pytest.mark.neuron
def test_ghk_and_nernst_kschan_match_neuron():
    """A GHK sodium KSChan (iv_type 2: pmax [cm/s], nai and nao, its di/dv NEURON's difference at v + 0.001 times
    1000, KSIvghk::jacob) and a potassium KSChan of iv_type 1 ("Nernst": NEURON promotes the ion so that
    finitialize computes ek from ki and ko, -74.17 mV here, not the default -77; bridge gave 28 mV wrong traces
    before) beside an ohmic one; the cell spikes. Under parity arithmetic (glibc's exp, no FMA), as the validation
    commands run: with XLA's own exp the GHK current's last bits move and the spikes amplify them to ~1.5e-9 mV."""
    run_with_parity_arithmetic(f"from tests.hoc.test_kschan import _check_ghk; _check_ghk({str(DATA / 'ghk.hoc')!r})")


def test_point_process_kschan_from_hoc():
    """`new KSChan(1)`: a point-process type named by ks.name; its variables without suffix (GHK: pmax, p);
    gmax() sets the default of new instances; structure changes are refused once one is placed."""
    s = bridge.HocSession()
    s("objref ks, st, pp, pv\nks = new KSChan(1)")
    s('{ ks.name("kp")  ks.ion("k")  ks.iv_type(2)  ks.gmax(2e-9) }')
    s('st = ks.add_hhstate("n")')
    s("x1 = ks.is_point\nx2 = ks.iv_type")
    assert (s.x1, s.x2) == (1.0, 2.0)
    s("create soma\nsoma pp = new kp(0.3)")
    s("x3 = pp.pmax\npp.pmax = 3e-9\nx4 = pp.pmax")
    assert (s.x3, s.x4) == (2e-9, 3e-9)
    with pytest.raises(BridgeError, match="instances"):
        s('ks.add_hhstate("h")')
    with pytest.raises(BridgeError, match="not a variable"):
        s("x5 = pp.gmax")


def test_kschan_refusals():
    s = bridge.HocSession()
    s("objref kp\nkp = new KSChan(1)")
    with pytest.raises(BridgeError, match="single"):
        s("kp.single(1)")
    s("objref ks, st\nks = new KSChan()")
    s("x1 = ks.single(1)")  # a density channel: NEURON ignores it
    assert s.x1 == 0.0
    s('ks.ion("k")')
    s('st = ks.add_hhstate("m")')
    with pytest.raises(BridgeError, match="usetable"):
        s("ks.usetable(1)")
    s("create soma\nsoma insert Chan1")
    with pytest.raises(BridgeError, match="instances"):
        s('ks.add_hhstate("h")')
    with pytest.raises(BridgeError, match="after the channel was inserted"):
        s("ks.gmax(0.5)")


def test_kschan_without_rate_function_is_an_error():
    s = bridge.HocSession()
    s('objref ks, st\nks = new KSChan()\nst = ks.add_hhstate("m")\ncreate soma\nsoma insert Chan0')
    with pytest.raises(BridgeError, match="no rate function"):
        s.model().to_model()


@pytest.mark.neuron
def test_kinetic_scheme_kschan_matches_neuron():
    """A three-state kinetic scheme (power 2) times an HH-style inf/tau gate. Its initialisation is
    NEURON's nearly singular 1e9 ms implicit step, solved with Sparse 1.3's pivot order and roundings."""
    _parity("kinetic.hoc", 40.0, ["soma(0.5).v", "dend(0.9).v"])


def test_sparse13_pivot_order_follows_markowitz():
    """spOrderAndFactor's diagonal choice: the smallest Markowitz product, the step first, then the last
    row down. A star (state 0 linked to 1, 2, 3): the leaves go first, the hub last."""
    from bridge.mechanisms.sparse13 import pivot_order

    chain = [[True, True, False], [True, True, True], [False, True, True]]
    assert pivot_order(chain) == [0, 1, 2]
    star = [[True, True, True, True], [True, True, False, False], [True, False, True, False],
            [True, False, False, True]]
    assert pivot_order(star)[-1] == 0
    assert pivot_order(star) == [3, 1, 2, 0]


def test_kstrans_f_evaluates_neurons_rate_functions():
    s = bridge.HocSession()
    s('objref ks, st, tr, pv\nks = new KSChan()\nst = ks.add_hhstate("m")\ntr = ks.trans(st, st)')
    s("pv = new Vector(3)\npv.x[0] = 1\npv.x[1] = 0.1\npv.x[2] = -40\n{ tr.set_f(0, 3, pv) }")
    s("y1 = tr.f(0, -40)\ny2 = tr.f(0, -30)\ny3 = tr.ftype(0)\ny4 = tr.ftype(1)")
    assert (s.y1, s.y3, s.y4) == (1.0, 3.0, -1.0)  # linoid at x = 0: c0 (1 + x/2); f1 not set
    assert s.y2 == 1.0 / (1 - __import__("math").exp(-1.0))


_CB_CELL = """load_file("stdrun.hoc")
load_file("{ses}")
create soma, dend
connect dend(0), soma(1)
soma {{ L = 20 diam = 20 nseg = 1 insert hh {soma} }}
dend {{ L = 300 diam = 2 nseg = 7 insert pas g_pas = 0.0002 {dend} }}
objref stim
soma stim = new IClamp(0.5)
{{ stim.del = 1  stim.dur = 30  stim.amp = 0.25 }}
tstop = 40
"""


@pytest.mark.neuron
@pytest.mark.parametrize("ses, soma, dend", [
    # an HH-style sodium channel: m^3 (linoid, exp alpha/beta) and h (sigmoid inf, constant tau), replacing hh's
    ("chanbuild_hh.ses", "gnabar_hh = 0 insert cbna", "insert cbna gmax_cbna = 0.02"),
    # a kinetic gate (C1 <-> C2 <-> O) saved before an HH-style gate: cb2ks puts the HH gate first
    ("chanbuild_kinetic.ses", "gkbar_hh = 0.01 insert cbk", "insert cbk gmax_cbk = 0.01"),
])
def test_channelbuild_session_matches_neuron(tmp_path, ses, soma, dend):
    shutil.copy(BUILDERS / ses, tmp_path / ses)
    init = tmp_path / "init.hoc"
    init.write_text(_CB_CELL.format(ses=ses, soma=soma, dend=dend))
    result = assert_matches_neuron(init, {"tstop": 40.0, "dt": 0.025, "recordings": ["soma(0.5).v", "dend(0.9).v"]})
    print(f"max |dV| {ses}:", result.comparison.max_dv)
    assert result.comparison.max_dv <= 1e-9


_CB_POINT_CELL = """load_file("stdrun.hoc")
load_file("chanbuild_point.ses")
create soma, dend
connect dend(0), soma(1)
soma { L = 20 diam = 20 nseg = 1 insert hh gkbar_hh = 0 }
dend { L = 300 diam = 2 nseg = 7 insert pas g_pas = 0.0002 }
objref stim, kp1, kp2
soma kp1 = new cbpk(0.5)
dend kp2 = new cbpk(0.2)
kp2.pmax = 1e-9
soma stim = new IClamp(0.5)
{ stim.del = 1  stim.dur = 30  stim.amp = 0.25 }
tstop = 40
"""


@pytest.mark.neuron
def test_channelbuild_point_process_session_matches_neuron(tmp_path):
    """A ChannelBuild(0) session (a point-process KSChan, as ModelDB 50391's channels.ses makes them) with a GHK
    potassium current (pmax [cm3/s]) replacing hh's, at two places; the soma spikes three times."""
    shutil.copy(BUILDERS / "chanbuild_point.ses", tmp_path / "chanbuild_point.ses")
    init = tmp_path / "init.hoc"
    init.write_text(_CB_POINT_CELL)
    result = assert_matches_neuron(init, {"tstop": 40.0, "dt": 0.025,
                                          "recordings": ["soma(0.5).v", "dend(0.9).v", "cbpk[0].i"]})
    print("max |dV| chanbuild_point.ses:", result.comparison.max_dv)
    assert result.comparison.max_dv <= 1e-9


def test_channelbuild_session_builds_the_kschan():
    with pytest.warns(UserWarning, match="GUI"):
        s = bridge.HocSession(cwd=BUILDERS)
        s('load_file("chanbuild_kinetic.ses")')
        s("create soma\nsoma insert cbk")
        mech = s.model().mechanisms()["cbk"]
    spec = mech.spec
    assert [name for name, _ in spec.states] == ["h", "C1", "C2", "O"]  # the HH gate first (cb2ks)
    assert [frac for _, frac in spec.states] == [1.0, 0.0, 0.0, 1.0]
    assert (spec.nhh, spec.ion, spec.gmax) == (1, "k", 0.036)
    assert [(t.src, t.target, t.kind, t.f0.kind, t.f1.kind) for t in spec.transitions] == [
        (0, 0, 1, 4, 1), (1, 2, 0, 2, 2), (2, 3, 0, 3, 2)]


def test_kschan_size_is_bounded():
    """Model files are untrusted: a KSChan's states are bounded by Limits.max_kinetic_states."""
    s = bridge.HocSession(limits=bridge.Limits(max_kinetic_states=3))
    s("objref nil, ks, st, vec\nks = new KSChan()")
    s('for i = 0, 2 { st = ks.add_ksstate(nil, "c") }')
    with pytest.raises(BridgeError, match="max_kinetic_states"):
        s('st = ks.add_ksstate(nil, "c")')
    s("vec = new Vector(7)\nvec.x[2] = 1000000")
    with pytest.raises(BridgeError, match="max_kinetic_states"):
        s("ks.setstructure(vec)")
