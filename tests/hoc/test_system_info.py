"""HOC's system() for the informational commands bridge answers without a shell (bridge.hoc.shell_info),
against NEURON 9.0.2 running the same HOC (which runs the real commands)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge import HocSession
from bridge.errors import HocRefusal
from bridge.hoc.shell_info import answer

DATA = Path(__file__).resolve().parent / "data"


def _neuron(path: Path) -> list[str]:
    code = f"from neuron import h\nh.load_file({str(path)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [ln for ln in proc.stdout.splitlines() if "DISPLAY" not in ln and "graphics" not in ln]


def _bridge(path: Path) -> list[str]:
    out = io.StringIO()
    HocSession(stdout=out).load_file(path)
    return out.getvalue().splitlines()


@pytest.mark.neuron
def test_system_output_strdef_and_value_match_neuron():
    """uname (-m, -sm, -m -s), date +FORMAT, hostname, whoami, pwd: the strdef gets the output with its newline,
    the one-argument form prints it, the value is 0; stdrun's tstr and temp_string_ exist at top level."""
    path = DATA / "system_info.hoc"
    assert _bridge(path) == _neuron(path)


@pytest.mark.neuron
def test_plain_date_matches_neuron_to_the_second(tmp_path):
    """`date` with no format: GNU date's C-locale default; the two runs are a few seconds apart."""
    hoc = tmp_path / "date.hoc"
    hoc.write_text('strdef s\nsystem("date", s)\nprintf("[%s]", s)\n')
    fmt = "%a %b %d %H:%M:%S %Z %Y"
    ours = re.search(r"\[(.*)\n\]", "\n".join(_bridge(hoc))).group(1)
    theirs = re.search(r"\[(.*)\n\]", "\n".join(_neuron(hoc))).group(1)
    assert ours.split()[4] == theirs.split()[4] and len(ours) == len(theirs)  # the zone; %e pads the day
    assert abs(time.mktime(time.strptime(ours, fmt)) - time.mktime(time.strptime(theirs, fmt))) < 120


@pytest.mark.parametrize("command", ["ls", "uname -a", "uname -m; rm x", "date +%y%b%d > f", "echo $USER",
                                     "date +%N", "date -s 2020", "hostname -F f", "pwd -P", "uname\tx", "",
                                     "date +%y `rm x`", "jgraph -P lptmp > lptmp2"])
def test_other_commands_are_not_answered(command):
    assert answer(command, "/tmp") is None


def test_a_refused_command_names_itself_and_the_line(tmp_path):
    hoc = tmp_path / "m.hoc"
    hoc.write_text('x = 1\nstrdef s\nsystem("rm -f pwned", s)\n')
    (tmp_path / "pwned").write_text("kept\n")
    with pytest.raises(HocRefusal) as err:
        HocSession(cwd=tmp_path).load_file(hoc)
    assert '"rm -f pwned" is not a command bridge answers' in str(err.value)
    assert f"{hoc}:3:" in str(err.value)
    assert (tmp_path / "pwned").read_text() == "kept\n"


def test_the_session_lists_the_commands_it_answered(tmp_path):
    session = HocSession(cwd=tmp_path, stdout=io.StringIO())
    session('strdef s\nsystem("uname -m", s)\nsystem("date +%y%b%d", s)\nsystem("uname -m", s)')
    assert session.shell_commands() == ["uname -m", "date +%y%b%d", "uname -m"]


@pytest.mark.neuron
def test_a_models_stdinit_calling_cvode_simgraph_runs_as_neuron():
    """stdrun.hoc's cvode_simgraph() (graphs' recording under CVODE's local step) called from a model's own
    stdinit() and init(): nothing to record without graphs; the run matches NEURON."""
    from bridge.testing import assert_matches_neuron

    assert_matches_neuron(DATA / "stdinit_simgraph" / "init.hoc", atol=1e-9)  # measured: 2.0e-11 mV
