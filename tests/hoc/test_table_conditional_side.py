"""A tabulated PROCEDURE that assigns a GLOBAL (or file LOCAL) only under an IF.

nocmodl's `_check_trates` runs the body at each table point in turn, x from lo to hi, in the same C variables:
`if (v < -50) { tadj = ... }` leaves tadj, after the build, at the value of the LAST point that took the branch
(x = -50.35 here), and the points above -50 compute `nexp` from it (`_f_trates` reads the tadj the previous
point left; the first point reads what the variable held before the build). bridge ran every point from the
same scope: the points above -50 saw tadj at its start value and the build left tadj untouched.

Our .mod and HOC files (test_table_instance_assigned's cell), run by NEURON 9 and by bridge: runs at two
temperatures, the table off, then on again, rebuilt or not; gk and v of every segment after each run and the
last run's traces (max |dV| <= 1e-9 mV).
"""

from __future__ import annotations

import pytest

from tests.hoc.test_live_run import _both, _same_output, _same_vectors
from tests.hoc.test_table_instance_assigned import CELL, NOT_REBUILT, REBUILT, _mod_dir

ONE = "tadj = q10^((celsius - temp)/10)"
# tadj of the last point below -50 (x = -50.35): the build's value depends on which point took the branch last
BY_POINT = "if (v < -50) { tadj = q10^((celsius - temp)/10) + v/1000 }"
# the same for every point: the points above -50 read it from the previous point (bridge read the start value)
SAME = "if (v < -50) { tadj = q10^((celsius - temp)/10) }"

# the table on in every run: built at 6.3, rebuilt at 16.3, checked at 16.3 without a rebuild
ON = """
run()
show()
celsius = 16.3
run()
show()
run()
show()
"""


# the branch's bound a GLOBAL the TABLE DEPENDs on: a rebuild where no point takes the branch leaves tadj as it
# was (the last build's) and every point reads that value (bridge started the points from tadj's default, 0)
BY_LIMIT = "if (v < vlim) { tadj = q10^((celsius - temp)/10) + v/1000 }"
NO_POINT = """
run()
show()
vlim_kvdt = -200
run()
show()
celsius = 16.3
run()
show()
"""


def _conditional(tmp_path, declared: str, statement: str):
    mod = _mod_dir(tmp_path, declared)
    path = mod / "kvdt.mod"
    text = path.read_text()
    assert ONE in text
    text = text.replace(ONE, statement)
    if "vlim" in statement:
        text = (text.replace("GLOBAL ninf,", "GLOBAL vlim, ninf,").replace("q10 = 2.3 }", "q10 = 2.3 vlim = -50 }")
                .replace("DEPEND dt,", "DEPEND vlim, dt,"))
    path.write_text(text)
    return mod


@pytest.mark.neuron
@pytest.mark.parametrize(("statement", "runs"), [(BY_POINT, ON), (SAME, ON), (BY_LIMIT, NO_POINT)],
                         ids=["by_point", "same", "no_point"])
@pytest.mark.parametrize("declared", ["global", "file_local"])
def test_table_procedure_assigns_a_global_under_an_if(tmp_path, declared, statement, runs):
    """The build leaves tadj at the last branch point's value and the points above -50 read it: gk and v of every
    segment after each run and the last run's traces match NEURON (max |dV| <= 1e-9 mV)."""
    theirs, ref, ours, vecs, _ = _both(tmp_path, CELL % {"runs": runs}, ("vs", "vd", "va", "tv"),
                                       mod_dir=_conditional(tmp_path, declared, statement))
    gk = [float(ln.split()[2]) for ln in theirs if " gk " in ln]
    assert len(gk) == 6 * runs.count("run()") and all(g > 0 for g in gk), theirs
    _same_output(theirs, ours)
    _same_vectors(ref, vecs)


@pytest.mark.parametrize(("declared", "old", "new", "what"), [
    ("unlisted", ONE, SAME, "per-instance ASSIGNED tadj"),
    ("global", "ninf = a*ntau", "if (v < 0) { ninf = a*ntau }", "TABLE name ninf"),
], ids=["per_instance", "table_name"])
def test_conditional_per_instance_or_table_name_is_refused(tmp_path, declared, old, new, what):
    """A per-instance ASSIGNED (the first instance's value before the build) or a scalar TABLE name (its last
    lookup's) that a point may leave unassigned: refused, naming the file, the TABLE's line and the variable."""
    from bridge.errors import UnsupportedFeature
    from bridge.nmodl.load import load_mod

    mod = _mod_dir(tmp_path, declared)
    path = mod / "kvdt.mod"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(UnsupportedFeature, match=f"PROCEDURE trates with a TABLE may leave the {what} unassigned"
                       ) as err:
        load_mod(path)
    assert "kvdt.mod:25" in str(err.value)


PLAY_TEMP = """
objref tp, tt
tp = new Vector(4)
tt = new Vector(4)
tt.indgen(1)
tp.x[0] = 23
tp.x[1] = 13
tp.x[2] = 3
tp.x[3] = 33
tp.play(&temp_kvdt, tt)
run()
show()
"""


@pytest.mark.parametrize("declared", ["global", "unlisted"])
def test_play_into_a_depend_global_of_a_table_with_side_values_is_refused(tmp_path, declared):
    """Vector.play into `temp_kvdt`, which the TABLE DEPENDs on and Mainen's tadj reads: NEURON rebuilds the
    table during the run and gives tadj each new value (the GLOBAL, or the first instance's); bridge's traced
    step rebuilt the table but kept the old tadj (v 8.2 mV off within 4 ms, GLOBAL tadj): refused, naming the
    .mod file and the TABLE's line, the variable and the played GLOBAL."""
    import io

    from bridge import HocSession
    from bridge.errors import BridgeError

    mod = _mod_dir(tmp_path, declared)
    (tmp_path / "model.hoc").write_text(CELL % {"runs": PLAY_TEMP})
    hoc = HocSession(mod, cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"Vector.play into temp_kvdt: the TABLE at .*kvdt\.mod:25 DEPENDs on it "
                                          r"and its PROCEDURE also assigns .*tadj"):
        hoc.load_file(tmp_path / "model.hoc")


@pytest.mark.parametrize("declared", ["global", "file_local"])
@pytest.mark.parametrize("statement", [SAME, ONE + " + v/1000"], ids=["under_an_if", "reads_v"])
@pytest.mark.parametrize("runs", [REBUILT, NOT_REBUILT], ids=["rebuilt", "not_rebuilt"])
def test_table_off_with_a_global_the_instances_may_set_differently_is_refused(tmp_path, declared, statement, runs):
    """usetable_kvdt = 0: each instance's trates sets tadj, NEURON's one variable, and BREAKPOINT's gk reads the
    last writer's; where instances may set it differently (under an IF, from v), bridge's per-instance tadj is
    not NEURON's (reads_v: the run with the table off 1e-4 mV off): refused, naming the variable and the file.
    Mainen's uniform tadj runs (test_table_instance_assigned)."""
    import io

    from bridge import HocSession
    from bridge.errors import BridgeError

    mod = _conditional(tmp_path, declared, statement)
    (tmp_path / "model.hoc").write_text(CELL % {"runs": runs})
    hoc = HocSession(mod, cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"usetable_kvdt = 0: the tabulated PROCEDURE of .*kvdt\.mod assigns tadj"):
        hoc.load_file(tmp_path / "model.hoc")


FINITIALIZE_OFF = """
usetable_kvdt = 0
finitialize(-65)
show()
"""


def test_table_off_finitialize_read_is_refused(tmp_path):
    """The same with finitialize() alone: NEURON's INITIAL runs trates in each instance in turn and finitialize's
    currents read the last writer's tadj (gk printed); refused before the gk read (by the mechanism, not the
    values: here every instance starts at -65 mV, so they would agree)."""
    import io

    from bridge import HocSession
    from bridge.errors import BridgeError

    mod = _conditional(tmp_path, "global", ONE + " + v/1000")
    (tmp_path / "model.hoc").write_text(CELL % {"runs": FINITIALIZE_OFF})
    hoc = HocSession(mod, cwd=tmp_path, stdout=io.StringIO())
    with pytest.raises(BridgeError, match=r"usetable_kvdt = 0: the tabulated PROCEDURE of .*kvdt\.mod assigns tadj"):
        hoc.load_file(tmp_path / "model.hoc")
