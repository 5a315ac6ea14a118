"""analysis.shared_globals: which assigned GLOBALs NEURON shares among instances, and which pass between them.

The runs against NEURON are in tests/validation/test_published_nmodl.py (calcium pools)."""

import pytest

from bridge.nmodl.load import analyze_text

HEAD = """NEURON { SUFFIX t NONSPECIFIC_CURRENT i GLOBAL gl }
PARAMETER { gp = 1 }
ASSIGNED { v i gl }
STATE { x }
"""


def _info(body: str):
    return analyze_text(HEAD + body, "t.mod")


def test_assigned_before_use_in_every_block_is_per_instance():
    info = _info("""INITIAL { gl = v  x = gl }
BREAKPOINT { SOLVE s METHOD cnexp  gl = 2*v  i = gl*x }
DERIVATIVE s { rates(v)  x' = -x/gl }
PROCEDURE rates(u) { gl = u*u + 1 }""")
    assert info.shared_globals == ()


def test_read_in_a_block_that_does_not_assign_it_is_shared():
    info = _info("""INITIAL { gl = v + 70  gp = v }
BREAKPOINT { i = 1e-3*(gl + gp)*x }""")
    assert info.shared_globals == ("gl", "gp")
    assert info.assigned_global_parameters == ("gp",)


def test_both_branches_of_an_if_assign():
    info = _info("""INITIAL { if (v > 0) { gl = 1 } else { gl = 2 }  x = gl }
BREAKPOINT { i = 0 }""")
    assert info.shared_globals == ()


@pytest.mark.parametrize("body", [
    # read, then assigned, in one block: the value passes from instance to instance
    "INITIAL { gl = 0 }\nBREAKPOINT { i = gl  gl = gl + v }",
    # assigned on one path only in INITIAL, read in BREAKPOINT
    "INITIAL { if (v > -60) { gl = v } }\nBREAKPOINT { i = 1e-3*gl }",
    # a procedure that reads before it assigns
    "INITIAL { bump() }\nBREAKPOINT { i = 1e-3*gl }\nPROCEDURE bump() { gl = gl + 1 }",
])
def test_uses_that_pass_values_between_instances_run_in_turn(body):
    # the run time then runs the instances one after another (runtime.in_turn; against NEURON:
    # tests/validation/test_shared_in_turn.py)
    info = _info(body)
    assert info.in_turn == ("gl",) and "gl" in info.shared_globals


def test_a_file_local_is_shared_too():
    text = """NEURON { SUFFIX t NONSPECIFIC_CURRENT i }
ASSIGNED { v i }
LOCAL count
INITIAL { count = 0 }
BREAKPOINT { count = count + 1  i = 0 }
"""
    assert analyze_text(text, "t.mod").in_turn == ("count",)


def test_a_file_local_shadowing_a_parameter_guarded_self_update_runs_in_turn():
    # ModelDB 126467's Cont.mod: `LOCAL decal` beside a PARAMETER decal, `if (t > decal + period) { decal = decal
    # + period }` in a derivimplicit DERIVATIVE block; nocmodl's code uses one `static double _zdecal` for every
    # instance, which the instances pass on in turn
    text = """NEURON { SUFFIX t NONSPECIFIC_CURRENT i }
PARAMETER { period = 1000 (ms)  decal (ms) }
ASSIGNED { v i }
STATE { x }
LOCAL decal
INITIAL { decal = 0  x = 0 }
BREAKPOINT { SOLVE s METHOD derivimplicit  i = 1e-3*x }
DERIVATIVE s {
    if (t > decal + period) {
        decal = decal + period
    }
    x' = (t - decal) - x
}
"""
    assert analyze_text(text, "t.mod").in_turn == ("decal",)


def test_no_carried_value_no_turns():
    assert _info("INITIAL { gl = v + 70 }\nBREAKPOINT { i = 1e-3*gl*x }").in_turn == ()


def test_a_global_every_instance_computes_alike_needs_no_sharing():
    # NEURON's capump.mod idiom: a guard on a remembered celsius; every instance sets the same values
    text = """NEURON { SUFFIX t NONSPECIFIC_CURRENT i }
ASSIGNED { v i }
LOCAL Q, s_celsius
BREAKPOINT {
    if (s_celsius != celsius) {
        s_celsius = celsius
        Q = 3^((celsius - 6.3)/10)
    }
    i = 1e-3*Q*(v + 70)
}
"""
    assert analyze_text(text, "t.mod").shared_globals == ()


UNIFORM_HEAD = """NEURON { SUFFIX t NONSPECIFIC_CURRENT i GLOBAL Q }
ASSIGNED { v i Q }
"""


@pytest.mark.parametrize("initial, extra, shared", [
    ("Q = f(celsius)", "FUNCTION f(x) { f = 2*x }", ()),               # a pure FUNCTION of a uniform value
    ("Q = f(celsius)", "FUNCTION f(x) { f = x*v }", ("Q",)),           # a FUNCTION that reads v
    ("Q = f(celsius)", "FUNCTION f(x) { f = g(x) }\nFUNCTION g(x) { g = x + v }", ("Q",)),  # through a callee
    ("LOCAL a\n a = celsius\n Q = a", "", ()),                           # a LOCAL set from a uniform value
    ("LOCAL a\n a = v\n Q = a", "", ("Q",)),                             # a LOCAL set from v
    ("if (celsius > 6) { Q = 1 } else { Q = 2 }", "", ()),
    ("if (v > 0) { Q = 1 } else { Q = 2 }", "", ("Q",)),                # the condition differs per instance
])
def test_which_globals_every_instance_computes_alike(initial, extra, shared):
    text = UNIFORM_HEAD + f"INITIAL {{ {initial} }}\nBREAKPOINT {{ i = 1e-3*Q*(v + 70) }}\n{extra}\n"
    assert analyze_text(text, "t.mod").shared_globals == shared


def test_the_pass_is_linear_in_the_file_size():
    # a chain g0 <- g1 <- ... <- g4999 <- v: the old fixpoint removed one name per pass over every
    # assignment (cubic: 400 names took 460 s); one pass over a dependency graph takes well under a second
    import time
    n = 5000
    names = [f"g{k}" for k in range(n)]
    body = f"g{n - 1} = v\n" + "\n".join(f"g{k} = g{k + 1} + 1" for k in reversed(range(n - 1)))
    text = (f"NEURON {{ SUFFIX t NONSPECIFIC_CURRENT i GLOBAL {', '.join(names)} }}\n"
            f"ASSIGNED {{ v i {' '.join(names)} }}\nINITIAL {{\n{body}\n}}\nBREAKPOINT {{ i = 1e-3*g0 }}\n")
    start = time.perf_counter()
    assert analyze_text(text, "t.mod").shared_globals == ("g0",)
    assert time.perf_counter() - start < 30  # about 2 s with parsing on a loaded 2-core machine
