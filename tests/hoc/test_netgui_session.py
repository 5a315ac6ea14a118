"""Session files of NEURON's NetBuilder for artificial cells (an ArtCellGUI of NetStim and IntFire1 types and a
NetGUI wiring them), written by us in the form NEURON saves them (ModelDB 53437, 3815 use the same tools):
bridge runs NEURON's own netbild.hoc code (`bridge.hoc.neuronlib`; its temporary template file kept in memory,
`bridge.hoc.memfiles`), which makes the cells (`MechanismStandard.out(pp)`), NetCons, weights and delays.
NEURON 9 and a `HocSession` print the same network and the same spike times (to 1e-9 ms)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _same_output

CELLS_SES = """objectvar save_window_, rvp_
objectvar scene_vector_[2]
objectvar ocbox_, ocbox_list_, scene_, scene_list_
{ocbox_list_ = new List()  scene_list_ = new List()}

//Begin ArtCellGUI[0]
{
load_file("netbild.hoc")
}
ocbox_ = new ArtCellGUI(1)
{object_push(ocbox_)}
{
tobj = new MechanismStandard("NetStim")
tobj.set("interval", 7, 0)
tobj.set("number", 3, 0)
tobj.set("start", 4, 0)
tobj.set("noise", 0, 0)
}
{append(tobj, "Drive")}
{
tobj = new MechanismStandard("NetStim")
tobj.set("interval", 10, 0)
tobj.set("number", 1, 0)
tobj.set("start", 12.5, 0)
tobj.set("noise", 0, 0)
}
{append(tobj, "Kick")}
{
tobj = new MechanismStandard("IntFire1")
tobj.set("tau", 8, 0)
tobj.set("refrac", 2, 0)
}
{append(tobj, "Cell")}
{object_pop()}
{
ocbox_.map("ArtCellGUI[0]", 6, 83, 449.28, 291.84)
}
objref ocbox_
//End ArtCellGUI[0]
"""

NET_SES = """objectvar save_window_, rvp_
objectvar scene_vector_[4]
objectvar ocbox_, ocbox_list_, scene_, scene_list_
{ocbox_list_ = new List()  scene_list_ = new List()}

//Begin NetGUI[0]
{
load_file("netbild.hoc")
}
{ocbox_ = new NetGUI(1)}
{object_push(ocbox_)}
{mapold2new = new Vector()  missing = new List()}
original_type("Drive")
original_type("Kick")
original_type("Cell")
newnode(0, -150, 40)
newnode(1, -90, 45)
newnode(2, -30, 40)
newnode(2, -30, -20)
newedge(0, 2, 0, 0.45, 1.5)
newedge(1, 2, 0, 0.7, 0.25)
newedge(2, 3, 0, 1.2, 3)
newedge(0, 3, 0, -0.3, 2)
{create_ = 1  create1()}
{g.size(-166.667,166.667,-124.997,124.997)}
{object_pop()}
{
ocbox_.map("NetGUI[0]", 6, 415, 528, 327.36)
}
objref ocbox_
//End NetGUI[0]
"""

MAIN = """load_file("nrngui.hoc")
load_file("cells.ses")
load_file("net.ses")
create soma
soma { L = 10  diam = 10  insert pas }
objref ncs, cl, sl, nil, nc[2], tv[2]
ncs = new List("NetCon")
cl = new List("IntFire1")
sl = new List("NetStim")
printf("netcons %d cells %d stims %d\\n", ncs.count, cl.count, sl.count)
for i = 0, ncs.count - 1 printf("nc %d w %g d %g\\n", i, ncs.object(i).weight, ncs.object(i).delay)
for i = 0, cl.count - 1 {
  tv[i] = new Vector()
  nc[i] = new NetCon(cl.object(i), nil)
  nc[i].record(tv[i])
  printf("cell %d tau %g refrac %g\\n", i, cl.object(i).tau, cl.object(i).refrac)
}
tstop = 40
run()
for i = 0, 1 {
  printf("cell %d spikes %d:", i, tv[i].size)
  for j = 0, tv[i].size - 1 printf(" %.17g", tv[i].x[j])
  printf("\\n")
}

"""


def _write(tmp_path):
    (tmp_path / "cells.ses").write_text(CELLS_SES)
    (tmp_path / "net.ses").write_text(NET_SES)
    (tmp_path / "main.hoc").write_text(MAIN)


@pytest.mark.neuron
def test_netgui_network_of_artificial_cells_matches_neuron(tmp_path):
    _write(tmp_path)
    code = "from neuron import h\nh.load_file('main.hoc')\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]
    assert any(ln.startswith("cell 1 spikes") for ln in theirs), proc.stderr[-2000:]
    assert "netcons 4 cells 2 stims 2" in theirs
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(tmp_path / "main.hoc")
    ours = out.getvalue().splitlines()
    _same_output(theirs, ours)


def test_mktemp_is_refused_outside_neurons_builder_code(tmp_path):
    hoc = HocSession(cwd=tmp_path)
    with pytest.raises(BridgeError, match="mktemp"):
        hoc("objref f\nf = new File()\nf.mktemp()")
