"""validation.corpus: counting what bridge and nocmodl accept in a (pre-unpacked) package cache."""

from __future__ import annotations

import pytest

from validation import corpus

GOOD = "NEURON { SUFFIX good }\nPARAMETER { a = 1 }\nBREAKPOINT { }\n"
BAD_SYNTAX = "NEURON { SUFFIX bad }\nBREAKPOINT { x = }\n"
SEMANTIC = "NEURON { SUFFIX twice }\nPROCEDURE p() { }\nPROCEDURE p() { }\n"  # nocmodl: declared twice
WITH_INCLUDE = 'NEURON { SUFFIX inc }\nINCLUDE "defs.inc"\nBREAKPOINT { }\n'


def _cache(tmp_path):
    src = tmp_path / "pkg" / "src" / "pkg-1.0" / "mods"
    src.mkdir(parents=True)
    (tmp_path / "pkg" / ".unpacked").write_text("ok")
    (src / "good.mod").write_text(GOOD)
    (src / "bad.mod").write_text(BAD_SYNTAX)
    (src / "twice.mod").write_text(SEMANTIC)
    (src / "inc.mod").write_text(WITH_INCLUDE)
    (src / "defs.inc").write_text("PARAMETER { b = 2 }\n")
    return tmp_path


def test_counts_without_nocmodl(tmp_path):
    result = corpus.check_package("pkg", _cache(tmp_path), run_nocmodl=False)
    assert [f.path.split("/")[-1] for f in result.files] == ["bad.mod", "good.mod", "inc.mod", "twice.mod"]
    assert result.counts() == {"package": "pkg", "files": 4, "bridge_parses": 3, "nocmodl_accepts": 0,
                               "bridge_parses_of_nocmodl_accepted": 0, "printed_same_cpp": 0, "nmodl_compared": 0,
                               "nmodl_agrees": 0}
    bad = result.files[0]
    assert not bad.bridge_ok and ":2:18: syntax error" in bad.bridge_error


@pytest.mark.neuron
def test_counts_with_nocmodl(tmp_path):
    if corpus._nocmodl() is None:
        pytest.skip("nocmodl not installed")
    result = corpus.check_package("pkg", _cache(tmp_path))
    by_name = {f.path.split("/")[-1]: f for f in result.files}
    assert by_name["good.mod"].nocmodl_ok and by_name["inc.mod"].nocmodl_ok  # INCLUDE resolved next to the file
    assert not by_name["bad.mod"].nocmodl_ok and not by_name["twice.mod"].nocmodl_ok
    assert result.counts()["bridge_parses_of_nocmodl_accepted"] == 2 == result.counts()["nocmodl_accepts"]
    assert by_name["good.mod"].printed_same_cpp and by_name["inc.mod"].printed_same_cpp
    assert result.counts()["printed_same_cpp"] == 2
    table = corpus.format_table([result])
    assert "| pkg " in table and "2/2" in table.splitlines()[-1]


@pytest.mark.neuron
def test_comparison_with_neuron_nmodl(tmp_path):
    result = corpus.check_package("pkg", _cache(tmp_path), run_nocmodl=False, compare_nmodl=True)
    by_name = {f.path.split("/")[-1]: f for f in result.files}
    assert not by_name["bad.mod"].nmodl_ok  # both refuse the syntax error
    assert by_name["good.mod"].nmodl_ok and by_name["good.mod"].nmodl_differences == []
    assert by_name["twice.mod"].nmodl_ok and by_name["twice.mod"].nmodl_differences == []  # syntax is fine
    # neuron.nmodl opens INCLUDE files relative to its working folder, so it refuses inc.mod here
    assert result.counts()["nmodl_agrees"] == 3 and result.counts()["nmodl_compared"] == 4


def test_bridge_facts():
    from bridge.nmodl import parse

    facts = corpus.bridge_facts(parse("NEURON { SUFFIX s USEION na READ ena WRITE ina RANGE g }\n"
                                      "STATE { m }\nDERIVATIVE d { m' = -m }\nBEFORE STEP { }"))
    assert facts["mechanism"] == "s" and facts["ions"] == [["na", ["ena"], ["ina"]]]
    assert facts["blocks"] == [["NeuronBlock", ""], ["StateBlock", ""], ["DerivativeBlock", "d"], ["BeforeBlock", ""]]


def test_main_lists_subcommands(capsys):
    from validation.__main__ import main

    assert main(["--help"]) == 0
    assert "corpus-parse" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2
