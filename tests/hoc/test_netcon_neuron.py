"""HOC's NetCon, NetStim, ExpSyn/Exp2Syn and ParallelContext (one process) against NEURON 9.0.2.

Each HOC file of tests/hoc/netcon_data (written for these tests, in the ways published network models
use the constructs) runs in real NEURON (a subprocess) and in bridge (`load_hoc`, `HocModel.simulate`);
the recorded voltages agree to 1e-9 mV and the spike record Vectors (`NetCon.record`,
`ParallelContext.spike_record`) hold the same spike times (<= 1e-9 ms) and ids.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bridge
from bridge.hoc import spike_records
from bridge.hoc.values import ObjVar
from tests.hoc.printed_vectors import PRINT_PROC, printed_vectors

DATA = Path(__file__).resolve().parent / "netcon_data"

_NEURON = """
import json, sys
from neuron import h
if sys.argv[4]:
    assert h.nrn_load_dll(sys.argv[4])
h.load_file(sys.argv[1])
out = {}
for name in sys.argv[3].split(","):
    out[name] = list(getattr(h, name))
json.dump(out, open(sys.argv[2], "w"))
"""


def neuron_vectors(hoc: Path, names: list[str], tmp_path: Path, mods: list[Path] = ()) -> dict[str, np.ndarray]:
    pytest.importorskip("neuron")
    lib = ""
    if mods:
        from validation.neuron_run import compile_mod_files

        lib = str(compile_mod_files(list(mods)))
    out = tmp_path / "neuron.json"
    proc = subprocess.run([sys.executable, "-c", _NEURON, str(hoc), str(out), ",".join(names), lib], cwd=hoc.parent,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {k: np.asarray(v) for k, v in json.loads(out.read_text()).items()}


def bridge_vectors(hoc: Path) -> tuple[dict[str, np.ndarray], object]:
    """Every top-level recording Vector's values after the run, by HOC name: voltages from the traces,
    spike records from `netcon.spike_vectors`."""
    session = bridge.HocSession(cwd=hoc.parent)
    session.load_file(hoc)
    model = session.model()
    traces = model.simulate()
    spikes = {id(vec): values for vec, values in spike_records.spike_vectors(model.spike_records, traces)}
    by_label = {rec.label: rec for rec in model.protocol.recordings}
    out = {}
    for name, b in session._interp.top.items():
        if not isinstance(b, ObjVar) or b.dims:
            continue
        vec = b.data[0]
        if id(vec) in spikes:
            out[name] = np.asarray(spikes[id(vec)])
        elif str(vec) in by_label:
            rec = by_label[str(vec)]
            out[name] = np.asarray(traces[f"{rec.section}({rec.x!r}).{rec.variable}" if not rec.point_process
                                          else f"{rec.point_process}.{rec.variable}"])
    return out, model


def check(hoc: Path, voltages: list[str], spikes: list[str], tmp_path: Path) -> dict:
    ref = neuron_vectors(hoc, voltages + spikes, tmp_path)
    ours, _ = bridge_vectors(hoc)
    dv = {}
    for name in voltages:
        assert ours[name].shape == ref[name].shape, name
        dv[name] = float(np.max(np.abs(ours[name] - ref[name])))
        assert dv[name] <= 1e-9, (name, dv[name])
    for name in spikes:
        assert len(ours[name]) == len(ref[name]), (name, ours[name], ref[name])
        assert len(ref[name]) > 0, name  # the case must spike, or it tests nothing
        assert np.all(np.abs(ours[name] - ref[name]) <= 1e-9), (name, ours[name], ref[name])
    print(hoc.name, "max |dV| [mV]:", dv, "spikes:", {n: len(ref[n]) for n in spikes})
    return ref


@pytest.mark.neuron
def test_netstim_drives_expsyn_and_exp2syn(tmp_path):
    check(DATA / "netstim_syn.hoc", ["vsoma", "vsyn"], ["tstim", "tsoma"], tmp_path)


@pytest.mark.neuron
def test_chain_of_template_cells(tmp_path):
    ref = check(DATA / "chain.hoc", ["vs0", "vs2"], ["tvec", "idvec"], tmp_path)
    assert set(ref["idvec"]) == {0.0, 1.0, 2.0}  # every cell of the chain fired


@pytest.mark.neuron
def test_parallelcontext_ring(tmp_path):
    ref = check(DATA / "ring.hoc", ["vs0", "vs5"], ["tvec", "idvec"], tmp_path)
    assert set(ref["idvec"]) == set(range(12)) and len(ref["tvec"]) > 12  # the ring went round more than once


@pytest.mark.neuron
def test_weights_changed_between_and_during_runs_live(tmp_path):
    """HOC reads the spike record after each run() (the live run) and changes NetCon.weight between runs and in
    the middle of one; the weight changes compile nothing."""
    hoc = DATA / "live_weights.hoc"
    ref = neuron_vectors(hoc, ["counts", "tsoma", "vsoma"], tmp_path)
    session = bridge.HocSession(cwd=hoc.parent)
    session.load_file(hoc)
    got = session.recorded_vectors()
    counts = session._interp.top["counts"].data[0].data
    tsoma = session._interp.top["tsoma"].data[0]
    tsoma.check_filled(session._interp, None)
    assert counts == list(ref["counts"]) and len(set(counts)) > 2, (counts, ref["counts"])
    assert len(tsoma.data) == len(ref["tsoma"]) > 0
    assert np.max(np.abs(np.asarray(tsoma.data) - ref["tsoma"])) <= 1e-9
    dv = np.max(np.abs(np.asarray(got["vsoma"]) - ref["vsoma"]))
    print("live max |dV| [mV]:", dv, "counts", counts)
    assert dv <= 1e-9
    # one step function for the five runs of the loop (weights are parameters), one more for the last run,
    # which records vsoma (a new probe)
    assert session.live.compilations == 2 and len(session.live.engines) == 2


@pytest.mark.neuron
def test_dropped_netcons_and_targets_as_in_neuron(tmp_path):
    check(DATA / "lifetimes.hoc", ["vsoma"], ["tsoma"], tmp_path)
    ours, model = bridge_vectors(DATA / "lifetimes.hoc")
    labels = [nc.label for nc in model.network.netcons]
    assert labels == ["NetCon[0]", "NetCon[2]", "NetCon[5]", "NetCon[6]", "NetCon[7]"], labels


HEAD = "create soma\nsoma { insert hh }\nobjref syn, ns, nc, nil\nsoma syn = new ExpSyn(0.5)\nns = new NetStim()\n"


@pytest.mark.parametrize("text, match", [
    ("nc = new NetCon(ns, syn)\nnc.event(3)\n", r"event\(\) before finitialize"),
    ("soma nc = new NetCon(&ena(0.5), syn)\n", "other than v"),
    ("nc = new NetCon(ns, syn)\nx = nc.x\n", r"NetCon.x"),
])
def test_refused_netcon_uses(text, match):
    session = bridge.HocSession()
    with pytest.raises(bridge.errors.HocRefusal, match=match):
        session(HEAD + text)


def test_a_point_process_source_without_net_event_is_refused_when_it_runs():
    """`new NetCon(pp, syn)` is accepted (tests/hoc/test_netcon_point_source.py); a source whose NET_RECEIVE
    never calls net_event (an IClamp) cannot fire, and the run refuses it rather than never firing."""
    session = bridge.HocSession()
    session(HEAD + "objref ic\nsoma ic = new IClamp(0.5)\nnc = new NetCon(ic, syn)\ntstop = 5\n")
    with pytest.raises(bridge.errors.BridgeError, match="net_event"):
        session.model().simulate()


NOISY = """
load_file("stdrun.hoc")
create soma
soma { L = 20 diam = 20 insert hh }
objref syn, ns, ns2, nc, nc2, rec, rec2
soma syn = new ExpSyn(0.5)
ns = new NetStim()
ns.start = 1
ns.interval = 2
ns.number = 10
ns.noise = 0.5
ns2 = new NetStim()
ns2.interval = 3
ns2.number = 5
ns2.start = 0
ns2.noise = 1
nc = new NetCon(ns, syn)
nc.weight = 0.005
nc2 = new NetCon(ns2, syn)
nc2.weight = 0.003
rec = new Vector()
nc.record(rec)
rec2 = new Vector()
nc2.record(rec2)
tstop = 30
run()
""" + PRINT_PROC + """
pv("rec", rec)
pv("rec2", rec2)
printf("v %.17g\\n", soma.v(0.5))
"""


@pytest.mark.neuron
def test_noisy_netstims_from_hoc_match_neuron(tmp_path):
    """NetStim noise 0.5 and 1 with NEURON's default stream ids (numbered as HOC creates the NetStims):
    spike times identical, v within 1e-9 mV."""
    import io

    path = tmp_path / "noisy.hoc"
    path.write_text(NOISY)
    out = subprocess.run([sys.executable, "-c", f"from neuron import h\nh.load_file({str(path)!r})\n"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    printed = io.StringIO()
    bridge.HocSession(stdout=printed).load_file(path)

    theirs = printed_vectors(out.stdout, ("rec", "rec2", "v"))
    ours = printed_vectors(printed.getvalue(), ("rec", "rec2", "v"))
    assert len(theirs["rec"]) == 10 and len(theirs["rec2"]) >= 1
    for name in ("rec", "rec2"):
        assert ours[name].shape == theirs[name].shape and np.max(np.abs(ours[name] - theirs[name])) <= 1e-9
    assert abs(ours["v"][0] - theirs["v"][0]) <= 1e-9
    assert np.any(np.abs(np.diff(theirs["rec"]) - 2.0) > 1e-6)  # the intervals are noisy


def test_netcon_arguments_as_neuron():
    session = bridge.HocSession()
    session(HEAD + "nc = new NetCon(ns, syn)\nw = nc.weight\nd = nc.delay\nth = nc.threshold\nn = nc.wcnt()\n"
            "objref e2, nc2\nsoma e2 = new Exp2Syn(0.5)\nnc2 = new NetCon(ns, e2, 5, 2, 0.1)\nth2 = nc.threshold\n"
            "v1 = nc.valid()\nobjref nc3\nnc3 = new NetCon(ns, nil)\nv3 = nc3.valid()\n")
    top = session._interp.top
    values = {k: top[k].data[0] for k in ("w", "d", "th", "n", "th2", "v1", "v3")}
    # weight 0, delay 1, threshold 10 (a new source); the 5-argument form sets the shared source's threshold
    assert values == {"w": 0.0, "d": 1.0, "th": 10.0, "n": 1.0, "th2": 5.0, "v1": 1.0, "v3": 0.0}
    with pytest.raises(bridge.errors.HocError, match="give all three numbers"):
        session("nc = new NetCon(ns, syn, 1)")


@pytest.mark.neuron
def test_parallel_net_manager_ring(tmp_path):
    """NEURON's own netparmpi.hoc (ParallelNetManager) run by bridge's interpreter on one process."""
    ref = check(DATA / "ring_pnm.hoc", ["vs0", "vs7"], ["spikes", "ids"], tmp_path)
    assert set(ref["ids"]) == set(range(10)) and len(ref["spikes"]) > 10


@pytest.mark.neuron
def test_net_receive_that_changes_its_weight(tmp_path):
    """NEURON keeps what NET_RECEIVE assigns to its arguments in the NetCon's weight vector: HOC reads it after a
    run (weight[1] too: set by NET_RECEIVE's INITIAL), and the next run starts from the changed weight."""
    folder = DATA / "plastic"
    hoc = folder / "plastic.hoc"
    ref = neuron_vectors(hoc, ["w0", "w1", "counts", "tsoma"], tmp_path, mods=[folder / "plastsyn.mod"])
    session = bridge.HocSession(folder, cwd=folder)
    session.load_file(hoc)
    top = session._interp.top
    got = {k: np.asarray(top[k].data[0].data) for k in ("w0", "w1", "counts")}
    tsoma = top["tsoma"].data[0]
    tsoma.check_filled(session._interp, None)
    print("weights", got["w0"], ref["w0"], "counts", got["counts"], ref["counts"])
    assert np.all(np.abs(got["w0"] - ref["w0"]) <= 1e-15) and len(set(ref["w0"])) == 3
    assert list(got["w1"]) == list(ref["w1"]) == [6.0, 6.0, 6.0]
    assert list(got["counts"]) == list(ref["counts"])
    assert np.max(np.abs(np.asarray(tsoma.data) - ref["tsoma"]), initial=0.0) <= 1e-9 and len(ref["tsoma"]) > 0


@pytest.mark.neuron
def test_pointprocessmanagers_make_a_netstim_and_a_synapse(tmp_path):
    """Two PointProcessManagers of a session file (2016666's syn.ses): the second works as the first, and the
    NetStim (an ARTIFICIAL_CELL) ignores the manager's location; it drives the Exp2Syn through a NetCon."""
    check(DATA / "pointman_netstim.hoc", ["vsoma", "vhead"], ["tstim"], tmp_path)


@pytest.mark.neuron
def test_artificial_cell_location_as_in_neuron(tmp_path):
    """`soma ns = new NetStim(0.5)` is accepted, has no location (has_loc() 0) and get_loc() is an error."""
    hoc = tmp_path / "art.hoc"
    hoc.write_text("create soma\nobjref ns\nsoma ns = new NetStim(0.5)\nprint ns.has_loc()\nx = ns.get_loc()\n")
    proc = subprocess.run([sys.executable, "-c", f"from neuron import h\nh.load_file({str(hoc)!r})"],
                          capture_output=True, text=True, timeout=120)
    assert "ARTIFICIAL_CELLs are not located in a section" in proc.stderr + proc.stdout
    assert "\n0 \n" in "\n" + proc.stdout or proc.stdout.startswith("0 ")
    out = io.StringIO()
    with pytest.raises(bridge.HocError, match="ARTIFICIAL_CELLs are not located in a section"):
        bridge.HocSession(stdout=out).load_file(hoc)
    assert out.getvalue() == "0 \n"


@pytest.mark.neuron
def test_new_density_mechanism_fails_as_in_neuron(tmp_path):
    """`new excite(0.5)` of a SUFFIX mechanism (144385): NEURON stops ("is not a template"); bridge too, saying so."""
    hoc = tmp_path / "dens.hoc"
    hoc.write_text("create soma\nobjref s\nsoma s = new hh(0.5)\n")
    proc = subprocess.run([sys.executable, "-c", f"from neuron import h\nh.load_file({str(hoc)!r})"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "hh is not a template" in proc.stderr + proc.stdout
    with pytest.raises(bridge.HocError, match="hh is not a template: hh is a density mechanism .*NEURON also stops"):
        bridge.HocSession().load_file(hoc)


@pytest.mark.neuron
def test_netcon_event_from_hoc(tmp_path):
    """`nc.event(t)` into an ExpSyn and an IntFire1 (NetCons without a source), and `nc.event(t, 1)` to the
    IntFire1, queued after stdinit() and between continueruns (bridge.hoc.netcon_event)."""
    ref = check(DATA / "netcon_event.hoc", ["vsoma"], ["tsoma", "tcell"], tmp_path)
    assert len(ref["tcell"]) >= 2
