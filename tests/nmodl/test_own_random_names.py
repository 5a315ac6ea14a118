"""A file's own FUNCTION shadows nocmodl's older random-number name (NEURON's netstim.mod defines erand()); a call
of the name without the file's own definition is still refused."""

import pytest

from bridge.errors import UnsupportedFeature
from bridge.nmodl.load import analyze_text

HEAD = "NEURON { ARTIFICIAL_CELL A RANDOM r }\nASSIGNED { x }\n"


def test_own_erand_is_the_files_function():
    analyze_text(HEAD + "INITIAL { x = erand() }\nFUNCTION erand() { erand = random_negexp(r) }\n", "own.mod")


def test_erand_without_own_definition_is_refused():
    with pytest.raises(UnsupportedFeature, match="erand"):
        analyze_text(HEAD + "INITIAL { x = erand() }\n", "legacy.mod")
