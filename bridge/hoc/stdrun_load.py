"""What NEURON's first `load_file("stdrun.hoc")` does to HOC's variables (share/lib/hoc/stdrun.hoc's top level).

bridge runs its own stdrun (bridge.hoc.stdrun), but the library file's top-level assignments happen in NEURON when
it is loaded the first time, directly or through another library file that loads it (stdgui.hoc:
`load_file("stdrun.hoc")`; nrngui.hoc, mulfit.hoc, chanbild.hoc, ... load stdgui.hoc: LOADERS): a model that set
`tstop = 100` before its first `load_file("nrngui.hoc")` runs 5 ms in NEURON (`nrniv model.hoc`, or Python's
`h.load_file("model.hoc")`). Later loads do nothing (load_file loads a name once). A session that starts with
stdrun.hoc loaded (nrngui, or validation's NEURON side, which loads it before the model: validation.neuron_case
`_run`) keeps the model's values: bridge's validation does the same by loading it first (validation.bridge_case).
"""

from __future__ import annotations

from bridge.hoc import library_names, stdrun_names

# stdrun.hoc's top-level assignments of the variables bridge keeps (bridge.hoc.model_state.NEURON_GLOBALS), in
# its order; the GUI's (runStopAt, runStopIn, ...) bridge does not keep
VALUES = {"using_cvode_": 0.0, "stdrun_quiet": 0.0, "realtime": 0.0, "screen_update_invl": 0.05, "tstop": 5.0,
          "stoprun": 0.0, "steps_per_ms": 40.0, "nstep_steprun": 1.0, "global_ra": 35.4, "running_": 0.0,
          "v_init": -65.0}

# NEURON 9.0.2's library files (share/nrn/lib/hoc) whose first load loads stdrun.hoc, directly or through
# others: stdgui.hoc loads stdrun.hoc; nrngui.hoc, noload.hoc, pcchdir.hoc, loadbal.hoc, single.hoc and mulfit.hoc
# load stdgui.hoc; nrngui1.hoc and single1.hoc load pcchdir.hoc; macload.hoc loads nrngui.hoc, as do the
# chanbild/*.hoc files chanbild.hoc opens; mview.hoc loads chanbild.hoc; parcom.hoc loads loadbal.hoc. Measured
# for every file of the library: tests/hoc/test_stdrun_load.py
_LOADER_FILES = ("stdrun", "stdgui", "nrngui", "noload", "pcchdir", "loadbal", "single", "mulfit", "nrngui1",
                 "single1", "macload", "chanbild", "mview", "parcom")
# with and without `.hoc`, as load_file takes them
LOADERS = frozenset(_LOADER_FILES) | {f"{name}.hoc" for name in _LOADER_FILES}


def on_load(interp, base: str, loc) -> None:
    """`load_file` of the library `base`, which bridge does not run as NEURON's file (its own version, or a GUI
    library it accepts without running): stdrun.hoc's assignments the first time one of LOADERS is loaded. A
    library file bridge runs (a builder from NEURON's installation, a model's own copy) reaches them through its
    own `load_file("stdgui.hoc")`. The names the load declares: bridge.hoc.stdrun_names."""
    files = interp.files
    if base not in LOADERS or files.stdrun_loaded:
        return
    before = files.libraries - {library_names.library_base(base)}
    stdrun_names.declare(interp, library_names.declared_by_libraries("object_index", before), loc)
    files.stdrun_loaded = True
    for name, value in VALUES.items():
        interp.model.set_global(name, value)
