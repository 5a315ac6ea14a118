"""A MulRunFitter session file restores its parameters (bridge.hoc.mulfit): NEURON's mulfit1.hoc `read_data()` reads
the spec file's `Parameters:` lines (values through a C float) and assigns each (ModelDB 145836's fitted NMDA time
constants). Our own model, session file, spec and data files, run by NEURON 9 and by bridge: the values assigned and
the run after them to 1e-9; a spec bridge cannot read as NEURON does is refused."""

from __future__ import annotations

import io
import textwrap

import pytest

from bridge.errors import HocRefusal
from bridge.hoc.session import HocSession
from tests.hoc.test_live_run import _both, _same_output, _same_vectors

SES = """
{load_file("nrngui.hoc")}
objectvar save_window_, rvp_
objectvar ocbox_
//Begin MulRunFitter[0]
{
load_file("mulfit.hoc", "MulRunFitter")
}
{
ocbox_ = new MulRunFitter(1)
}
{object_push(ocbox_)}
{
version(6)
ranfac = 2
fspec = new File("fit.ses.ft1")
fdat = new File("fit.ses.fd1")
read_data()
build()
}
{object_pop()}
{
ocbox_.map("MulRunFitter[0]", 936, 68, 301.5, 258.3)
}
objref ocbox_
"""

SPEC = """ParmFitness: Unnamed multiple run protocol

\tParameters:
\t\t"Tau", 391.642, 1, 4000, 1, 1
\t\t"stim.amp", 0.123456789, 0, 1, 1, 0
\t\t"soma.g_pas(0.5)", 0.000271828, 1e-06, 1, 1, 1
End ParmFitness
"""

MODEL = """
load_file("stdrun.hoc")
create soma
soma { L = 20  diam = 20  insert pas  g_pas = 1e-4  e_pas = -65 }
objref stim, vs, tv
soma stim = new IClamp(0.5)
stim.del = 1
stim.dur = 5
stim.amp = 0.1
Tau = 10
proc settle() { e_pas = -65 - Tau/100 }
vs = new Vector()
vs.record(&soma.v(0.5))
tv = new Vector()
tv.record(&t)
tstop = 10
load_file("fit.ses")
"""

PRINT = """{printf("Tau %.17g amp %.17g g %.17g\\n", Tau, stim.amp, soma.g_pas(0.5))}
soma settle()
run()
{printf("v %.17g\\n", soma.v(0.5))}
"""


def _files(tmp_path, spec: str = SPEC) -> None:
    (tmp_path / "fit.ses").write_text(textwrap.dedent(SES))
    (tmp_path / "fit.ses.ft1").write_text(spec)
    (tmp_path / "fit.ses.fd1").write_text("\n")


@pytest.mark.neuron
def test_mulrunfitter_parameters_are_assigned_as_neuron(tmp_path):
    _files(tmp_path)
    theirs, ref, ours, vecs, _ = _both(tmp_path, MODEL + PRINT, ("vs", "tv"))
    _same_output(theirs[:-1], ours[:-1], atol=0.0)  # the values exactly, as NEURON's C float makes them
    _same_output(theirs[-1:], ours[-1:])
    assert any("Tau 391.64199829101562 " in line for line in theirs), theirs
    _same_vectors(ref, vecs)


@pytest.mark.neuron
def test_mulrunfitter_without_its_data_file_assigns_nothing_as_neuron(tmp_path):
    _files(tmp_path)
    (tmp_path / "fit.ses.fd1").unlink()  # mulfit1.hoc read_data: "missing MulRunFit data file", nothing read
    theirs, _, ours, _, _ = _both(tmp_path, MODEL + PRINT, ("vs", "tv"))
    theirs = [line for line in theirs if not line.startswith("missing")]
    _same_output(theirs, ours)
    assert any("Tau 10 " in line for line in theirs), theirs


@pytest.mark.parametrize("line, why", [
    ('\t\t"Tau; x", 1, 0, 2, 1, 0', "not a variable reference"),
    ('\t\t"Tau", 1, 0', "not"),
])
def test_a_spec_bridge_cannot_read_as_neuron_is_refused(tmp_path, line, why):
    _files(tmp_path, SPEC.replace('\t\t"Tau", 391.642, 1, 4000, 1, 1', line))
    (tmp_path / "model.hoc").write_text(textwrap.dedent(MODEL))
    hoc = HocSession(cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(HocRefusal, match=f"fit.ses.ft1:4: .*{why}"):
        hoc.load_file(tmp_path / "model.hoc")


def test_a_spec_without_its_end_line_is_refused(tmp_path):
    _files(tmp_path, SPEC.replace("End ParmFitness\n", ""))
    (tmp_path / "model.hoc").write_text(textwrap.dedent(MODEL))
    with pytest.raises(HocRefusal, match="End ParmFitness"):
        HocSession(cwd=tmp_path, stdout=io.StringIO()).load_file(tmp_path / "model.hoc")
