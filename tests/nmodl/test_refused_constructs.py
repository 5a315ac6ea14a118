"""Constructs of published models that bridge refuses: the error names the construct, the file and the line."""

import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import analyze_text


@pytest.mark.parametrize("text, line, words", [
    ("NEURON {\n  SUFFIX t\n  BBCOREPOINTER rng\n}\nASSIGNED { rng }\n", 1, "BBCOREPOINTER variables (rng)"),
    ("NEURON {\n  POINT_PROCESS gap\n  POINTER vgap\n}\nSTATE { vgap }\n", 3, "POINTER 'vgap' declared as a state"),
    ("NEURON {\n  SUFFIX t\n  EXTERNAL gscale\n}\nSTATE { gscale }\n", 3, "EXTERNAL 'gscale' declared as a state"),
    ("NEURON { SUFFIX t USEION ca READ cai WRITE cai }\nSTATE { ca[4] }\nASSIGNED { cai }\n"
     "KINETIC k {\n  LONGITUDINAL_DIFFUSION i, 0.6 {ca}\n  ~ ca[0] << (0)\n}\n", 5, "LONGITUDINAL_DIFFUSION"),
    ("NEURON { SUFFIX t NONSPECIFIC_CURRENT i }\nASSIGNED { v i }\nBREAKPOINT {\n  i = 1e-3*squarewave(t)\n}\n",
     4, "squarewave()"),
])
def test_refusal_names_construct_and_line(text, line, words):
    with pytest.raises(UnsupportedFeature) as exc:
        analyze_text(text, "m.mod")
    assert words in str(exc.value)
    assert exc.value.location.filename == "m.mod" and exc.value.location.line == line
