"""The HOC interpreter's structure: every syntax node has one executor or evaluator, and running
a model adds no attribute to the objects that hold its state (each is declared where it is made)."""

from __future__ import annotations

import inspect
import io
import warnings

from bridge.hoc import ast
from bridge.hoc.expressions import EVALUATORS
from bridge.hoc.interp import EXECUTORS
from bridge.hoc.session import HocSession


def test_every_node_has_one_executor_or_evaluator():
    nodes = {c for c in vars(ast).values() if inspect.isclass(c) and issubclass(c, ast.Node) and c is not ast.Node}
    parts = {ast.Decl, ast.Program}  # a part of a declaration; what parse() returns
    assert not set(EXECUTORS) & set(EVALUATORS)
    assert nodes - parts == set(EXECUTORS) | set(EVALUATORS)


MODEL = """
create soma, dend[2]
access soma
connect dend[0](0), soma(1)
connect dend[1](0), dend[0](1)
forall { nseg = 3  insert hh  diam(0:1) = 1:2 }
soma { pt3dclear()  pt3dadd(0, 0, 0, 10)  pt3dadd(10, 0, 0, 10) }
define_shape()
distance(0, 0.5)
x = distance(1)
objref stim, vv, tv, sl, sr, f, s, lst, pc, gr
soma stim = new IClamp(0.5)
stim.amp = 0.1
stim.del = 1
stim.dur = 1
vv = new Vector()
tv = new Vector()
vv.record(&soma.v(0.5))
tv.record(&t)
sl = new SectionList()
soma sl.wholetree()
sr = new SectionRef()
lst = new List()
lst.append(vv)
s = new String("abc")
pc = new ParallelContext()
gr = new Graph()
strdef text
sprint(text, "%g %s", 1.5, "x")
f = new File()
f.ropen("data.txt")
y = f.scanvar()
ropen("data.txt")
z = fscan()
ropen()
begintemplate Cell
public soma, init_done
create soma
proc init() { init_done = 1 }
endtemplate Cell
objref cell
cell = new Cell()
execute("w = 2")
cvode_active(1)
tstop = 1
run()
fadvance()
"""


def test_running_a_model_adds_no_attribute(tmp_path):
    (tmp_path / "data.txt").write_text("1 2 3\n")
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    interp, state = hoc._interp, hoc._state
    holders = [interp, interp.files, interp.objects, interp.memory, state, state.tree]
    before = [set(vars(o)) for o in holders]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hoc(MODEL)
        hoc.model()
    assert [set(vars(o)) for o in holders] == before
    declared = set(vars(state.sections[-1]))  # the template's section: made, never used
    for sec in state.sections:
        assert set(vars(sec)) == declared, sec.name
    for run in state.runs:
        assert set(vars(run)) == {"v_init", "tstop", "dt", "celsius", "secondorder"}
