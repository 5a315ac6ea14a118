"""What bridge checks before NEURON may run a case: bridge's side first, and NEURON only on what it accepted.

NEURON is not sandboxed: it executes everything a model says (shell commands, Python, the C code of
VERBATIM blocks it compiles). `preflight(case)` therefore does bridge's part of the case up to the
run, and raises a `BridgeError` (NEURON is then never started) when bridge refuses the model:

1. the full HOC pass (`validation.bridge_case.case_session`: load the HOC, the statements, the
   protocol's settings, `stdinit()`), in which every model-directed read stays inside the model's
   read roots (`bridge.readroots`) and shell, Python and file writes are refused;
   for a SectionTree case, nothing to run;
2. the translation of the mechanisms the model uses (`bridge.nmodl.load.load_mod`), and bridge's
   simulation of the model built (not run) with the settings it will run: a refusal there (a probe,
   a mechanism's kind or values, the step and memory budget) also stops the case before NEURON;
3. a static scan of the HOC files bridge ran, and of those they name, for what bridge refuses in
   code bridge never ran (`validation.hoc_scan`); file writes are left to NEURON's write guard
   (`validation.write_guard`: only inside the copy of the model folder NEURON runs on with an output folder,
   `Case.output_dir`; nowhere without one), or, where there is none, allowed only under a literal relative
   name with an output folder.

With an output folder, the pass writes the model's files into a temporary folder, dropped afterwards
(bridge's run writes them again, `validation.bridge_case.load_case_hoc`), and `Preflight.model_root` is
the folder NEURON's side copies: the one holding the working directory, the HOC files bridge ran (NEURON's
and bridge's own library files left out) and the case's `allow_read`.

It returns the .mod files NEURON may compile: those of the mechanisms bridge's pass used or named
(and accepted), never the folder's other files (an unused file with VERBATIM C would otherwise be
compiled into NEURON); with `bridge_mechanisms` (a port checked against the originals, on the
user's request) the originals of the same mechanism names.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import BridgeError
from validation.case import Case, mechanism_name


@dataclass
class Preflight:
    """What NEURON gets after bridge accepted a case: the .mod files to compile and the probes of the
    HOC's own `Vector.record` calls."""

    mod_files: list[Path] = field(default_factory=list)
    hoc_recordings: list[str] = field(default_factory=list)
    model_root: Path | None = None
    shell_commands: list[str] = field(default_factory=list)  # what system() asked and bridge answered


def preflight(case: Case) -> Preflight:
    """bridge's side of `case` before NEURON may start (see the module docstring); BridgeErrors propagate."""
    from validation import hoc_scan
    from validation.bridge_case import case_session, hoc_mechanisms, used_mechanisms

    root = None
    commands: list[str] = []
    if case.hoc is not None:
        with tempfile.TemporaryDirectory(prefix="bridge-preflight-") as tmp:
            session = case_session(case, output_dir=None if case.output_dir is None else Path(tmp))
            model = session.model()
        used = session.mechanism_files()
        parsed = {**named_in_code(case, session.files_read(), session.read_roots, set(used)), **used}
        mechs = hoc_mechanisms(case, model)
        if not len(model.tree):  # as NEURON's side would say (validation.neuron_case), before it starts
            raise BridgeError(f"case {case.name!r}: the model has no sections after its HOC ran (a model that "
                              "builds its cell from a GUI menu needs statements that do it)")
        _bridge_builds(case, model, mechs)
        writes = case.output_dir is not None
        hoc_scan.check(session.files_read(), session.read_roots, session.working_directory(), writes=writes)
        recordings = model.probes()
        commands = session.shell_commands()
        if writes:
            root = model_root(case, session.files_read())
    else:
        used = case.tree.mechanism_names()
        translated = used_mechanisms(case, used)
        parsed = {name: None for name in used if name in translated}
        recordings = []
    return Preflight(neuron_mod_files(case, parsed), recordings, root, commands)


def named_in_code(case: Case, files_read: list[Path], roots, used: set[str] = frozenset()) -> dict[str, Path]:
    """The case's mechanisms that the HOC files bridge ran name as a word (comments left out) in code bridge
    never ran (`skca = new KCa(0.5)` in a branch not taken, ModelDB 139654), by name: NEURON parses that code,
    so it needs them compiled, and NEURON compiles only what bridge translates: one bridge refuses refuses the
    case (BridgeError naming the mechanism and the translator's reason). NEURON's library files and the
    mechanisms in `used` (translated already) are left out."""
    import re

    from bridge.errors import BridgeError
    from bridge.nmodl.load import load_mod
    from validation.hoc_scan import blank_comments
    from validation.neuron_case import NEURON_BUILTINS

    candidates = {mechanism_name(p): p for p in case.mod_files()}
    candidates = {k: v for k, v in candidates.items() if k not in NEURON_BUILTINS and k not in used}
    if not candidates:
        return {}
    own = _library_folders()
    words: set[str] = set()
    for path in dict.fromkeys(files_read):
        if any(folder in Path(path).resolve().parents for folder in own):
            continue  # NEURON's library (stdrun.hoc, ...) or bridge's own, not the model's code
        try:
            code = re.sub(r'"(?:[^"\\\n]|\\.)*"', " ", blank_comments(roots.read_text(Path(path), "HOC")))
            words |= set(re.findall(r"[A-Za-z_]\w*", code))  # names outside comments and strings
        except BridgeError:
            continue  # not a model file bridge may read again (hoc_scan reports it)
    out = {}
    for name, path in candidates.items():
        if name in words:
            try:
                load_mod(path, allow_read=case.allow_read)
            except BridgeError as err:
                raise BridgeError(f"mechanism {name} ({path}), named in HOC code bridge did not run (NEURON "
                                  f"parses it), cannot be used:\n{err}") from None
            out[name] = path
    return out


def _library_folders() -> list[Path]:
    """The folders of NEURON's library files and bridge's own HOC library."""
    import os

    from bridge.hoc import neuronlib

    own = [Path(neuronlib.__file__).resolve().parent]
    if neuronlib.library_folder() is not None:
        own.append(Path(os.path.realpath(neuronlib.library_folder())))
    return own


def model_root(case: Case, files_read: list[Path]) -> Path:
    """The folder holding the case's working directory, the model's HOC files bridge ran and `allow_read`
    (NEURON's library files, which NEURON finds itself, and bridge's own left out)."""
    import os

    own = _library_folders()
    paths = [Path(case.cwd).resolve(), *(Path(p).resolve() for p in case.allow_read)]
    for f in files_read:
        f = Path(f).resolve()
        if any(folder in f.parents for folder in own):
            continue
        paths.append(f.parent)
    return Path(os.path.commonpath([str(p) for p in paths]))


def _bridge_builds(case: Case, model, mechs: dict) -> None:
    """Build (not run) bridge's Simulation of a HOC case's model, as `run_bridge_case` will run it
    (the default current steps, which NEURON's side decides, aside); BridgeErrors propagate."""
    from bridge.model import Model, Simulation
    from validation.bridge_case import hoc_settings

    dt, settings, globals_ = hoc_settings(case, model)
    tstop = case.protocol.tstop if case.protocol.tstop is not None else model.protocol.tstop
    Simulation(Model(model.tree.copy(), mechanisms=mechs, dt=dt, tstop=tstop, globals=globals_,
                     network=model.network, **settings), record=list(model.probes()))


def neuron_mod_files(case: Case, parsed: dict[str, Path | None]) -> list[Path]:
    """The case's .mod files NEURON may compile: those bridge read for the mechanisms in `parsed`
    (name: bridge's file), or, with `bridge_mechanisms` or no file recorded, the case's file that
    defines the name; NEURON's built-in names left out (NEURON runs its own)."""
    from validation.neuron_case import NEURON_BUILTINS

    bridge_files = {Path(p).resolve() for p in parsed.values() if p is not None}
    out = []
    for path in case.mod_files():
        name = mechanism_name(path)
        if name in NEURON_BUILTINS or name not in parsed:
            continue
        if case.bridge_mechanisms is None and parsed[name] is not None and path.resolve() not in bridge_files:
            continue
        out.append(path)
    return out
