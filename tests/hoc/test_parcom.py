"""NEURON's ParallelComputeTool (lib/hoc/parcom.hoc) as ModelDB 195666, 241169 (parinit.hoc) and 244692 use it:
threads change no number (real NEURON 9.0.2, <= 1e-9 mV), multisplit(1) changes them by round-off only (a
branched cell of ours split by NEURON vs whole in bridge, <= 1e-9 mV), and the calls that stop NEURON (`cache()`,
`multisplit(0)` before a split, a second multisplit(1)) stop bridge."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest

from bridge import HocSession
from bridge.errors import HocError, HocRefusal
from bridge.testing import assert_matches_neuron

# two cells (threads share them out), each driven by its own IClamp
CELLS = """load_file("nrngui.hoc")
begintemplate Cell
public soma, dend
create soma, dend
proc init() {
    connect dend(0), soma(1)
    soma { L = 20 diam = 20 insert hh }
    dend { L = 200 diam = 2 nseg = 5 insert pas e_pas = -65 g_pas = 1e-4 }
}
endtemplate Cell
objref cells[2], stims[2]
for i = 0, 1 {
    cells[i] = new Cell()
    cells[i].soma stims[i] = new IClamp(0.5)
    stims[i].del = 1 + i
    stims[i].dur = 4
    stims[i].amp = 0.3 + 0.1 * i
}
tstop = 10
"""

# parinit.hoc's way (195666, 241169): the tool in pc_, threads on (startPar without its multisplit), read back
PARINIT = """load_file("parcom.hoc")
objref pc_
pc_ = ParallelComputeTool[0]
nmt = 4
proc startThreads() {
    pc_.nthread(nmt)
    pc_.pthread(1)
}
startThreads()
pc_.busywait(0)
if (pc_.nthread_ != 4 || pc_.pthread() != 1) { execerror("threads not set") }
"""

# 244692's way: one thread, cache_efficient
ONE_THREAD = """load_file("parcom.hoc")
ParallelComputeTool[0].nthread(1)
cvode.cache_efficient(1)
"""


@pytest.mark.neuron
@pytest.mark.parametrize("use", [PARINIT, ONE_THREAD], ids=["parinit_threads", "one_thread"])
def test_parcom_threads_match_neuron(tmp_path, use):
    path = tmp_path / "model.hoc"
    path.write_text(CELLS + use)
    result = assert_matches_neuron(path, {"default_steps": False}, atol=1e-9)
    print("parcom.hoc max |dV| [mV]:", result.comparison.max_dv)
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("Cell[0].soma(0.5).v")]
    assert v.max() > 0  # the IClamp fires the cell


@pytest.mark.neuron
def test_parcom_tool_values_and_output(tmp_path):
    """The tool's numbers as the same lines print them in NEURON 9.0.2."""
    path = tmp_path / "m.hoc"
    path.write_text('load_file("parcom.hoc")\nobjref p\np = ParallelComputeTool[0]\n'
                    'print p, " ", p.nthread_, " ", p.np, " ", p.pinfo\nprint p.nthread(8), " ", p.pthread(0)\n'
                    'print p.nthread_, " ", p.pct, " ", p.box\nx = 0\n')
    out = io.StringIO()
    HocSession(stdout=out).load_file(path)
    expected = _neuron(path).stdout.split()[:-2]  # without the driver's "x 0.0"
    assert out.getvalue().split() == expected
    assert expected[1:6] == ["ParallelComputeTool[0]", "1", "0", "0", "8"]


def _neuron(path) -> subprocess.CompletedProcess:
    code = f"from neuron import h\nh.load_file({str(path)!r})\nprint('x', h.x)\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


# a branched cell of ours (hh in soma and trunk) that parcom.hoc's multisplit cuts into pieces, two IClamps
BRANCHED = """load_file("nrngui.hoc")
create soma, trunk, apic[6], basal[4]
soma { L = 20 diam = 20 nseg = 1 }
trunk { L = 300 diam = 3 nseg = 15 }
connect trunk(0), soma(1)
for i = 0, 5 { apic[i] { L = 150 + 20*i diam = 1 + 0.1*i nseg = 9 } }
connect apic[0](0), trunk(1)
connect apic[1](0), trunk(1)
connect apic[2](0), apic[0](1)
connect apic[3](0), apic[0](1)
connect apic[4](0), apic[1](1)
connect apic[5](0), trunk(0.5)
for i = 0, 3 { basal[i] { L = 100 + 30*i diam = 1.5 nseg = 7 } connect basal[i](0), soma(0) }
forall { Ra = 120 cm = 1 insert pas g_pas = 1e-4 e_pas = -65 }
soma { insert hh }
trunk { insert hh gnabar_hh = 0.03 gkbar_hh = 0.01 gl_hh = 0 }
objref stim, stim2
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 40
stim.amp = 0.5
apic[3] stim2 = new IClamp(0.8)
stim2.del = 5
stim2.dur = 20
stim2.amp = 0.2
tstop = 50
load_file("parcom.hoc")
objref pc_
pc_ = ParallelComputeTool[0]
proc startPar() {
    pc_.nthread(4)
    pc_.pthread(1)
    pc_.multisplit(1)
}
proc stopPar() {
    pc_.nthread(1)
    pc_.pthread(0)
    pc_.multisplit(0)
}
"""


@pytest.mark.neuron
@pytest.mark.parametrize("use", ["startPar()\n", "startPar()\nstopPar()\nstartPar()\n"], ids=["split", "again"])
def test_multisplit_changes_the_numbers_by_round_off_only(tmp_path, use):
    """parinit.hoc's startPar (195666): NEURON cuts the cell into pieces and solves them by its split elimination
    (NEURON 9.0.2 vs its whole cell: 2.1e-11 mV at most, from 1.4e-14 mV at step 26); bridge solves it whole."""
    path = tmp_path / "model.hoc"
    path.write_text(BRANCHED + use + "objref sl\nsl = new SectionList()\nsl.allroots()\nx = 0\nforsec sl x += 1\n")
    assert float(_neuron(path).stdout.split()[-1]) > 1  # NEURON has cut the cell into pieces (one root before)
    path.write_text(BRANCHED + use)
    result = assert_matches_neuron(path, {"default_steps": False}, atol=1e-9)
    print("multisplit max |dV| [mV]:", result.comparison.max_dv)
    v = np.asarray(result.neuron.values)[:, result.neuron.labels.index("soma(0.5).v")]
    assert v.max() > 0  # the cell fires


@pytest.mark.parametrize("read", ["soma distance()", "objref r\ntrunk r = new SectionRef()\nx = r.nchild()",
                                  "objref sl\nsl = new SectionList()\nsl.allroots()", "trunk x = parent_connection()",
                                  "pc_.multisplit(1)"])
def test_reads_of_the_pieces_refused_while_split(tmp_path, read):
    """While split, NEURON's topology shows each piece as a root (and a second multisplit(1) aborts NEURON 9.0.2:
    "malloc(): unaligned tcache chunk detected"); bridge keeps the cell whole, so these are refused."""
    path = tmp_path / "m.hoc"
    path.write_text(BRANCHED + "startPar()\n" + read + "\n")
    with pytest.raises(HocRefusal, match="multisplit"):
        HocSession(stdout=io.StringIO()).load_file(path)
    path.write_text(BRANCHED + "startPar()\nstopPar()\n" + read.replace("pc_.multisplit(1)", "startPar()") + "\n")
    HocSession(stdout=io.StringIO()).load_file(path)  # unsplit: the cell is whole again


@pytest.mark.neuron
@pytest.mark.parametrize("call, message", [("p.cache()", "can't push that type onto stack"),
                                           ("p.multisplit(0)", "'count' object prefix is nullptr")])
def test_calls_that_stop_neuron_stop_bridge(tmp_path, call, message):
    """241169's issplit() calls `pc_.cache()`, which parcom.hoc declares but never defines; multisplit(0) before a
    split reads a nil objref (parcom.hoc unsplit)."""
    path = tmp_path / "m.hoc"
    path.write_text(f'create soma\nload_file("parcom.hoc")\nobjref p\np = ParallelComputeTool[0]\nx = 1\n{call}\n'
                    "x = 2\n")
    proc = _neuron(path)
    assert message in proc.stderr and "x 2" not in proc.stdout
    with pytest.raises(HocError, match="NEURON stops here too") as err:
        HocSession(stdout=io.StringIO()).load_file(path)
    assert message in str(err.value)


def test_np_after_busywait_refused(tmp_path):
    """busywait(1) with threads on sets np to the machine's processor count (parcom.hoc howmany)."""
    path = tmp_path / "m.hoc"
    path.write_text('load_file("parcom.hoc")\nParallelComputeTool[0].busywait(1)\nx = ParallelComputeTool[0].np\n')
    with pytest.raises(HocRefusal, match="np after busywait"):
        HocSession(stdout=io.StringIO()).load_file(path)


@pytest.mark.parametrize("member", ["lb", "printpart()", "move2part(1)", "showshape(0)"])
def test_load_balance_members_refused(tmp_path, member):
    path = tmp_path / "m.hoc"
    path.write_text(f'create soma\nload_file("parcom.hoc")\nobjref o\nParallelComputeTool[0].{member}\n')
    with pytest.raises(HocRefusal, match="ParallelComputeTool"):
        HocSession(stdout=io.StringIO()).load_file(path)


def test_pc_multisplit_refused_by_name(tmp_path):
    """A direct `pc.multisplit(x, sid)` was a silent no-op; NEURON's split solve changes the numbers: refused."""
    path = tmp_path / "m.hoc"
    path.write_text("create soma\nobjref pc\npc = new ParallelContext()\nsoma pc.multisplit(0.5, 1)\n")
    with pytest.raises(HocRefusal, match=r"ParallelContext.multisplit\(\) is not supported"):
        HocSession(stdout=io.StringIO()).load_file(path)
