"""NMODL code reading `usetable`: nocmodl installs that PARAMETER for a file with a TABLE (parsact.cpp), bridge reads
the TABLE's switch `usetable_<suffix>` there (parity: tests/validation/test_verbatim_c.py, mod/cswitch.mod's
INITIAL with usetable_cswitch 1 and 0); without a TABLE the name is undefined, as in NEURON's compiler."""

from __future__ import annotations

import pytest

from bridge.errors import BridgeError
from bridge.nmodl.load import analyze_text

TABLE = """NEURON { SUFFIX u RANGE x GLOBAL k }
ASSIGNED { x k v }
PROCEDURE r(v) {
  TABLE k FROM -100 TO 100 WITH 10
  k = v * 2
}
"""


def test_usetable_is_read_where_a_table_is():
    analyze_text(TABLE + "INITIAL {\n  r(v)\n  if (usetable == 0) { x = 1 } else { x = 2 }\n}\n", "u.mod")


def test_usetable_without_a_table_is_undefined():
    text = "NEURON { SUFFIX u RANGE x }\nASSIGNED { x }\nINITIAL {\n  x = usetable\n}\n"
    with pytest.raises(BridgeError, match="undefined variable 'usetable'"):
        analyze_text(text, "u.mod")


def test_assigning_usetable_is_refused():
    with pytest.raises(BridgeError, match="usetable"):
        analyze_text(TABLE + "INITIAL {\n  usetable = 0\n}\n", "u.mod")
