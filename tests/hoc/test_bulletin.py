"""ParallelContext's bulletin board and jobs on one process (bridge.hoc.bulletin, bridge.hoc.bulletin_jobs)
against NEURON 9.0.2 run without MPI.

data/bulletin (ours): board.hoc posts, looks and takes scalars, strings and Vectors (pack, unpack, numeric
keys, several messages under one key, a message read on by a second look); jobs.hoc submits functions,
procedures, statements and an object's method and sums what working() returns, with jobs that submit jobs,
context() and take() running queued jobs. Their printed output is NEURON's, line by line. seed_net.hoc takes
its seed from the board (as ModelDB 127388) and builds a ring of hh cells with jobs: its voltages match
NEURON's to 1e-9 mV and its spikes exactly. The errors NEURON raises are raised with NEURON's words.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bridge import HocSession
from bridge.errors import HocError, HocRefusal
from tests.hoc.test_netcon_neuron import bridge_vectors, neuron_vectors

DATA = Path(__file__).resolve().parent / "data" / "bulletin"


def _neuron_run(path: Path) -> subprocess.CompletedProcess:
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=path.parent)


def _neuron_output(path: Path) -> list[str]:
    proc = _neuron_run(path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]


def _bridge_output(path: Path) -> list[str]:
    out = io.StringIO()
    HocSession(stdout=out, cwd=path.parent).load_file(path)
    return out.getvalue().splitlines()


@pytest.mark.neuron
@pytest.mark.parametrize("name", ["board.hoc", "jobs.hoc"])
def test_printed_output_matches_neuron(name):
    theirs = _neuron_output(DATA / name)
    assert len(theirs) > 20
    assert _bridge_output(DATA / name) == theirs


@pytest.mark.neuron
def test_jobs_sum_as_neuron():
    """The classic pattern's numbers, read from NEURON's own output (not from bridge's)."""
    theirs = _neuron_output(DATA / "jobs.hoc")
    assert "sum of squares 385" in theirs  # sum of i*i, i = 1..10
    assert "nested total 4962" in theirs  # sum over i = 1..3, k = 1..3 of (10 i + k)^2


@pytest.mark.neuron
def test_network_seeded_from_the_board_matches_neuron(tmp_path):
    hoc = DATA / "seed_net.hoc"
    names = ["vs0", "vs2", "vs4", "tvec", "idvec"]
    ref = neuron_vectors(hoc, names, tmp_path)
    ours, _ = bridge_vectors(hoc)
    assert len(ref["tvec"]) > 20 and set(ref["idvec"]) == set(range(5))  # the ring goes round
    for name in ("tvec", "idvec"):
        assert ours[name].shape == ref[name].shape, name
        assert np.all(np.abs(ours[name] - ref[name]) <= 1e-9), name  # [ms], gid
    for name in ("vs0", "vs2", "vs4"):
        assert ours[name].shape == ref[name].shape, name
        assert np.max(np.abs(ours[name] - ref[name])) <= 1e-9, name  # [mV]


ERRORS = {
    "past_end": ('pc.post("a", 1)\npc.look("a")\nx = pc.upkscalar()\npc.look("a")\nx = pc.upkscalar()\n',
                 "BBSLocal error in upkdouble"),
    "wrong_kind": ('pc.post("a", "text")\npc.take("a")\nx = pc.upkscalar()\n', "BBSLocal error in upkdouble"),
    "nothing_taken": ('pc.look("none")\nx = pc.upkscalar()\n', "BBSLocal error in upkdouble"),
    "vector_as_string": ('objref w\nw = new Vector(2)\nstrdef s\npc.post("a", w)\npc.take("a")\npc.upkstr(s)\n',
                         "BBSLocal error in upkstr string"),
    "take_blocking": ('pc.take("never posted")\n', "BBSLocal error in take blocking"),
    "explicit_userid_no_args": ('func f() { return $1 }\npc.submit(3, "f", 1)\nx = pc.working()\n'
                                'x = pc.upkscalar()\n', "BBSLocal error in upkdouble"),
}


@pytest.mark.neuron
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_as_neuron(case, tmp_path):
    body, message = ERRORS[case]
    path = tmp_path / "model.hoc"
    path.write_text("objref pc\npc = new ParallelContext()\n" + body)
    proc = _neuron_run(path)
    assert proc.returncode != 0 and message.replace(" in ", " in  ") in proc.stderr + proc.stdout
    with pytest.raises(HocError, match=message) as err:
        HocSession(stdout=io.StringIO(), cwd=tmp_path).load_file(path)
    assert not isinstance(err.value, HocRefusal)


@pytest.mark.parametrize(("text", "match"), [
    # a job that returns before working() took its own submissions' results: NEURON later reads a freed job
    ("func f() { return 1 }\nproc g() { pc.submit(\"f\", 1) }\npc.submit(\"g\", 0)\nx = pc.working()\n",
     "not taken by working"),
    ("x = pc.upkpyobj()\n", "Python"),
    ("objref l\nl = new List()\npc.submit(l)\n", "Python callable"),
    ("objref l\nl = new List()\npc.post(\"k\", l)\n", "pickled Python object"),
])
def test_refused_uses(text, match, tmp_path):
    path = tmp_path / "model.hoc"
    path.write_text("objref pc\npc = new ParallelContext()\n" + textwrap.dedent(text))
    with pytest.raises(HocRefusal, match=match):
        HocSession(stdout=io.StringIO(), cwd=tmp_path).load_file(path)


def test_jobs_nest_within_the_call_depth(tmp_path):
    """A job that submits itself and waits for it: NEURON recurses until its stack ends; bridge stops at its
    bound with an error naming the file and line."""
    path = tmp_path / "model.hoc"
    path.write_text("objref pc\npc = new ParallelContext()\n"
                    "func r() { pc.submit(\"r\", $1 + 1)  return pc.working() }\n"
                    "pc.submit(\"r\", 0)\nx = pc.working()\n")
    with pytest.raises(HocError, match="deeper than|nested deeper|nesting too deep") as err:
        HocSession(stdout=io.StringIO(), cwd=tmp_path).load_file(path)
    assert "model.hoc:" in str(err.value)


def test_messages_count_against_memory(tmp_path):
    from bridge.limits import Limits

    path = tmp_path / "model.hoc"
    path.write_text("objref pc, big\npc = new ParallelContext()\nbig = new Vector(1000)\n"
                    "for i = 1, 100000 pc.post(\"k\", big)\n")
    with pytest.raises(HocError, match="max_memory"):
        HocSession(stdout=io.StringIO(), cwd=tmp_path, limits=Limits(max_memory=50 * 2**20)).load_file(path)
