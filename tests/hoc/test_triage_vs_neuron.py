"""HOC constructs that blocked ModelDB models (benchmarks/results/modeldb_triage_2026-12-06.md), against NEURON
(validation.suite.run_case: same sections, geometry, max |dV| <= 1e-9 mV): load_file of a missing file, getstr,
File.gets, `access` inside a section block; and the statement budget of Vector.append."""

from __future__ import annotations

import pytest

import bridge
from validation.case import Case, Protocol
from validation.suite import run_case


@pytest.mark.neuron
def test_decvec_style_load_file_of_a_missing_file_matches_neuron(tmp_path):
    """ModelDB 151282/185858/186768/189154: `if (! name_declared("datestr")) load_file("setup.hoc")` with no
    setup.hoc anywhere; NEURON warns and goes on."""
    from validation.case import Case, Protocol
    from validation.suite import run_case

    (tmp_path / "lib.hoc").write_text('if (! name_declared("datestr")) load_file("setup.hoc")\n'
                                      'ok = load_file("setup.hoc")\n')
    (tmp_path / "m.hoc").write_text('load_file("lib.hoc")\ncreate soma\n'
                                    'soma { L = 20 + 5 * ok diam = 20 insert hh }\n')
    with pytest.warns(UserWarning, match="cannot find setup.hoc"):
        result = run_case(Case("decvec", hoc=tmp_path / "m.hoc", protocol=Protocol(tstop=5.0)))
    assert result.status == "pass", result.error or result.comparison.reasons
    assert result.comparison.max_dv <= 1e-9 and result.comparison.geometry_error <= 1e-12


@pytest.mark.neuron
def test_getstr_word_and_line_and_file_gets_to_the_end_match_neuron(tmp_path):
    """getstr(s, 1) reads a word, getstr(s) the rest of the line, from the file being read (ModelDB 82894);
    File.gets returns -1 at the end of the file (ModelDB 190559's row count). The geometry depends on each."""
    (tmp_path / "d.txt").write_text("1 0 20\n1 1 25\n1 2 13\n")
    (tmp_path / "m.hoc").write_text(
        'load_file("stdrun.hoc")\ncreate soma\nstrdef w, line\n{getstr(w, 1) n = getstr(line)}\nalpha 12.5 rest\n'
        'objref f\nf = new File("d.txt")\nf.ropen()\nnrow = 0\nwhile (f.gets(line) > -1) nrow += 1\nf.close()\n'
        'soma { L = 10 + n diam = 20 nseg = 1 + 2 * nrow insert hh }\n'
        'if (strcmp(w, "alpha") == 0) soma.diam = 30\n')
    result = run_case(Case("getstr", hoc=tmp_path / "m.hoc", protocol=Protocol(tstop=5.0)))
    assert result.status == "pass", result.error or result.comparison.reasons
    assert result.comparison.max_dv <= 1e-9 and result.comparison.geometry_error <= 1e-12
    soma = result.bridge.tree["soma"]
    assert (soma.L, soma.nseg) == (21.0, 7)  # strlen(" 12.5 rest\n") = 11; 3 rows


@pytest.mark.neuron
def test_access_inside_a_section_block_replaces_the_block_section_as_neuron(tmp_path):
    """ModelDB 126776: `apic[i] { while (!issection("dend_5.*")) { sref = new SectionRef() access sref.parent } }`
    climbs to the parent: NEURON's `access` replaces the top of the section stack (cabcode.cpp sec_access), and
    the block's end pops it."""
    (tmp_path / "m.hoc").write_text(
        'load_file("stdrun.hoc")\ncreate a, b, c\nconnect b(0), a(1)\nconnect c(0), b(1)\nobjref sref\n'
        'forall { L = 50 diam = 2 insert hh }\naccess b\n'
        'c { while (!issection("a")) { sref = new SectionRef() access sref.parent } L = 77 }\n'
        'L = 33\n'  # the default section is b again: the block's section was replaced, then popped
        'access c\ndiam = 5\n')
    result = run_case(Case("access", hoc=tmp_path / "m.hoc", protocol=Protocol(tstop=5.0)))
    assert result.status == "pass", result.error or result.comparison.reasons
    assert result.comparison.max_dv <= 1e-9 and result.comparison.geometry_error <= 1e-12
    tree = result.bridge.tree
    assert (tree["a"].L, tree["b"].L, tree["c"].L, float(tree["c"].diam[0])) == (77, 33, 50, 5)


def test_vector_append_costs_the_new_elements_only():
    """ModelDB 116983 appends 100,000 numbers read with File.scanvar: NEURON's append is amortized O(1);
    bridge charged the whole Vector at every append (about 4e7 statements' worth: over the 1e7 budget)."""
    session = bridge.HocSession()
    session("objref vec\nvec = new Vector()\nfor i = 0, 99999 vec.append(i)\nn = vec.size()")
    assert session.n == 100000
    assert session._interp.statements < 1_000_000
