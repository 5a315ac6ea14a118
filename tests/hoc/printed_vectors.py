"""HOC that prints Vectors to 17 digits, one line per Vector (`name v0 v1 ...`), and the parser of those
lines: the tests run the same HOC in NEURON and in bridge and compare what each printed."""

from __future__ import annotations

import numpy as np

PRINT_PROC = """
proc pv() { local i
    printf("%s", $s1)
    for i = 0, $o2.size() - 1 { printf(" %.17g", $o2.x[i]) }
    printf("\\n")
}
"""


def printed_vectors(text: str, names) -> dict[str, np.ndarray]:
    """The lines of `text` that start with one of `names`, as arrays by name."""
    out = {}
    for line in text.splitlines():
        name, *values = line.split() or [""]
        if name in names:
            out[name] = np.asarray([float(x) for x in values])
    return out
