"""A .mod file with old Mac line endings (CR only, as some published model folders still have): validation
finds the mechanism it defines (its quick name scan read `: comment` to the end of the file and missed
the SUFFIX, so the case stopped on "mechanism 'ih' is used in the model but not loaded": ModelDB 108459),
and the run matches NEURON, which compiles the file as it is."""

from __future__ import annotations

import pytest

from validation.case import mechanism_name

LEAK = ("TITLE leak with CR line endings\r: a comment line\rNEURON {\r    SUFFIX crleak : the name\r"
        "    NONSPECIFIC_CURRENT i\r    RANGE g\r}\rPARAMETER { g = 2e-4 (S/cm2) : a comment\r e = -70 (mV) }\r"
        "ASSIGNED { v (mV) i (mA/cm2) }\rBREAKPOINT { i = g * (v - e) }\r")


def test_the_name_scan_reads_cr_line_endings(tmp_path):
    (tmp_path / "crleak.mod").write_bytes(LEAK.encode())
    assert mechanism_name(tmp_path / "crleak.mod") == "crleak"


@pytest.mark.neuron
def test_a_cr_mod_file_validates_against_neuron(tmp_path):
    from bridge.testing import assert_matches_neuron

    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "crleak.mod").write_bytes(LEAK.encode())
    (tmp_path / "cell.hoc").write_text("create soma\nsoma { L = 20 diam = 20 insert hh insert crleak }\n")
    assert_matches_neuron(tmp_path / "cell.hoc", {"tstop": 10.0}, mechanisms=tmp_path / "mod", atol=1e-9)
