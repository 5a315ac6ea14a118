"""A model whose own HOC stops NEURON: bridge stopped where hoc's parser stops, and NEURON does too.

bridge raises `bridge.hoc.parse_names.ParserStop` on a statement NEURON 9.0.2's parser refuses (`tmpfile =
new File()` without `objref tmpfile`: ModelDB 151282's decvec.hoc:12 when the sweep's entry is init.hoc).
That is the model's error, not a refusal of bridge: `confirm(case, stop, timeout)` runs the model in NEURON,
with the guards of any NEURON run (`validation.neuron_case`), and says whether NEURON stops with a syntax
error on the same file and line. Only then the sweep records the model as NEURON-ERROR
(`validation.models_run`); otherwise it stays refused.

NEURON starts here only after the checks `validation.preflight` makes for the code bridge ran up to the stop:
the same HOC pass again (bridge stops at the same statement; nothing past it ran), the static scan of the
files it read and of those they name (`validation.hoc_scan`), and NEURON compiles only the .mod files that
pass used or named and bridge translates. NEURON gets no output folder (every write of the model stops it)
and runs only the shell commands bridge answered (`validation.shell_guard`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import re
from pathlib import Path

from bridge.errors import BridgeError
from bridge.hoc.parse_names import ParserStop
from validation.case import Case

FIRST_ERROR = "NEURON's first error: "  # validation.neuron_case.run_neuron_case's line
_WHERE = re.compile(r"syntax error in (\S+) near line (\d+)")


def confirm(case: Case, stop: ParserStop, timeout: float) -> tuple[bool, str | None]:
    """(whether NEURON started, NEURON's first error when NEURON, run on `case`, stops with a syntax error on
    `stop`'s file and line; "elsewhere: " and NEURON's error when it stops somewhere else; None when it runs
    through); NEURON does not start when a check before it refuses the case."""
    from bridge.hoc.session import HocSession
    from validation import hoc_scan
    from validation.neuron_case import run_neuron_case
    from validation.preflight import named_in_code, neuron_mod_files

    if case.hoc is None or stop.location is None:
        return False, None
    hoc = Path(case.hoc).resolve()
    with contextlib.redirect_stdout(io.StringIO()):
        session = HocSession(case.bridge_mod_files() or None, cwd=case.cwd if case.cwd is not None else hoc.parent,
                             allow_read=case.allow_read)
        try:
            session('{load_file("stdrun.hoc")}')  # as validation.bridge_case (bridge.hoc.stdrun_load)
            session.load_file(hoc)
            for stmt in case.statements:
                session(stmt)
            return False, None
        except ParserStop as again:
            if again.location != stop.location:
                return False, None
        except BridgeError:
            return False, None
    try:
        files = session.files_read()
        hoc_scan.check(files, session.read_roots, session.working_directory(), writes=False)
        used = session.mechanism_files()
        mods = neuron_mod_files(case, {**named_in_code(case, files, session.read_roots, set(used)), **used})
    except BridgeError:
        return False, None  # the static scan or a mechanism refuses it: NEURON does not start
    try:
        run_neuron_case(dataclasses.replace(case, output_dir=None), timeout=timeout, mod_files=mods,
                        shell_commands=session.shell_commands())
    except BridgeError as err:
        m = _WHERE.search(str(err))
        if m and Path(m.group(1)).name == Path(stop.location.filename).name and int(m.group(2)) == stop.location.line:
            return True, next(ln.strip() for ln in str(err).splitlines() if m.group(0) in ln)
        first = [ln for ln in str(err).splitlines() if ln.startswith(FIRST_ERROR)]
        return True, f"elsewhere: {first[0][len(FIRST_ERROR):] if first else str(err).splitlines()[-1]}"
    return True, None
