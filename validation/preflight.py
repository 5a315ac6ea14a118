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
   code bridge never ran (`validation.hoc_scan`).

It returns the .mod files NEURON may compile: those of the mechanisms bridge's pass used or named
(and accepted), never the folder's other files (an unused file with VERBATIM C would otherwise be
compiled into NEURON); with `bridge_mechanisms` (a port checked against the originals, on the
user's request) the originals of the same mechanism names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from validation.case import Case, mechanism_name


@dataclass
class Preflight:
    """What NEURON gets after bridge accepted a case: the .mod files to compile and the probes of the
    HOC's own `Vector.record` calls."""

    mod_files: list[Path] = field(default_factory=list)
    hoc_recordings: list[str] = field(default_factory=list)


def preflight(case: Case) -> Preflight:
    """bridge's side of `case` before NEURON may start (see the module docstring); BridgeErrors propagate."""
    from validation import hoc_scan
    from validation.bridge_case import case_session, used_mechanisms

    if case.hoc is not None:
        session = case_session(case)
        model = session.model()
        parsed = session.mechanism_files()
        mechs = used_mechanisms(case, model.tree.mechanism_names())
        mechs.update(model.runtime_mechanisms)  # KSChans the HOC defined (as run_bridge_case adds them)
        _bridge_builds(case, model, mechs)
        hoc_scan.check(session.files_read(), session.read_roots, session.working_directory())
        recordings = model.probes()
    else:
        used = case.tree.mechanism_names()
        translated = used_mechanisms(case, used)
        parsed = {name: None for name in used if name in translated}
        recordings = []
    return Preflight(neuron_mod_files(case, parsed), recordings)


def _bridge_builds(case: Case, model, mechs: dict) -> None:
    """Build (not run) bridge's Simulation of a HOC case's model, as `run_bridge_case` will run it
    (the default current steps, which NEURON's side decides, aside); BridgeErrors propagate."""
    from bridge.model import Model, Simulation
    from validation.neuron_case import setdt

    p, hp = case.protocol, model.protocol
    dt = p.dt if p.dt is not None else setdt(hp.dt, hp.steps_per_ms)
    settings = {"v_init": hp.v_init, "celsius": hp.celsius, "secondorder": hp.secondorder}
    for name in settings:
        if getattr(p, name) is not None:
            settings[name] = getattr(p, name)
    tstop = p.tstop if p.tstop is not None else hp.tstop
    Simulation(Model(model.tree.copy(), mechanisms=mechs, dt=dt, tstop=tstop, globals={**hp.globals, **p.globals},
                     **settings), record=list(model.probes()))


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
