"""An array element written as a number outside its array is refused (bridge.nmodl.analysis.array_bounds), naming
the element, the file and the line: nocmodl's C reads and writes past the array (ModelDB 222321's accum.mod,
`dif[3]` of `ASSIGNED { dif[3] }`, where bridge read dif[2] and dropped the write, 0.03 mV off NEURON by 1 s)."""

import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import analyze_text

HEAD = "NEURON { SUFFIX t NONSPECIFIC_CURRENT i }\nASSIGNED { v i dif[3] }\nSTATE { a[2] }\n"


@pytest.mark.parametrize("body, line, words", [
    ("BREAKPOINT {\n  dif[3] = 1\n  i = dif[3]\n}\n", 5, "dif[3] is outside the array dif[3]"),
    ("BREAKPOINT {\n  i = a[2]*(v + 65)\n}\n", 5, "a[2] is outside the array a[2]"),
    ("BREAKPOINT {\n  SOLVE s METHOD cnexp\n  i = 0\n}\nDERIVATIVE s {\n  a'[0] = -a[0]\n  a'[2] = -a[1]\n}\n",
     10, "a[2] is outside the array a[2]"),
    ("BREAKPOINT { LOCAL w[2]\n  w[0] = 1\n  w[-1] = 2\n  i = 0\n}\n", 6, "w[-1] is outside the array w[2]"),
])
def test_a_number_outside_the_array_is_refused(body, line, words):
    with pytest.raises(UnsupportedFeature) as exc:
        analyze_text(HEAD + body, "m.mod")
    assert words in str(exc.value)
    assert exc.value.location.filename == "m.mod" and exc.value.location.line == line


def test_elements_inside_the_array_are_accepted():
    analyze_text(HEAD + "BREAKPOINT { LOCAL w[2]\n  w[1] = a[1]\n  dif[2] = w[1]\n  i = dif[0] + a[0]\n}\n", "m.mod")
