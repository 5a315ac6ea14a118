"""Which of NEURON's library files have run, and the loads of them that stop NEURON.

bridge does not run NEURON's stdrun.hoc, nrngui.hoc, the GUI tools' files, ... (bridge.hoc.loader: its own
versions, or nothing), but NEURON would, and two of their loads stop NEURON 9.0.2:
- a second run of a file that defines templates: `load_file(1, "stdrun.hoc")`, `xopen("stdrun.hoc")` or
  `load_file("/another/path/stdrun.hoc")` after stdrun.hoc ran ("NEURONMainMenu : a template cannot be
  redefined"); load_file runs a name once, and a library file's first load runs the files it loads by their
  plain names (stdgui.hoc: `load_file("stdrun.hoc")`), so only those names are skipped (src/oc/fileio.cpp
  hoc_Load_file); AGAIN lists the files whose second run NEURON accepts;
- a GUI tool's file loaded before the file that declares a name it takes as `external` (atoltool.hoc's
  `external cvode` without stdrun.hoc: "cvode not declared at the top level"): NEEDS (refused also where the
  model declared that name itself, which NEURON would accept: bridge declares some of them from the start);
- mknrndll.hoc and modlunit.hoc, which end NEURON: QUITS.
Measured for every file bridge handles this way: tests/hoc/test_library_runs.py.
"""

from __future__ import annotations

# what a library file's first load runs besides itself (directly or through the files it loads; a load that
# depends on a name, `load_file("stdlib.hoc", "String")`, runs when that file has not run)
_STDRUN = ("stdlib.hoc", "atoltool.hoc", "varmeth1.hoc", "movierun.hoc", "pointbsr.hoc", "wingroup.hoc")
_STDGUI = ("stdgui.hoc", "stdrun.hoc", *_STDRUN, "family.hoc", "shapebox.hoc", "inserter.hoc", "pointman.hoc")
RUNS: dict[str, tuple[str, ...]] = {
    "stdrun.hoc": _STDRUN, "stdgui.hoc": _STDGUI,
    **{f"{n}.hoc": _STDGUI for n in ("nrngui", "noload", "single", "pcchdir", "mulfit", "loadbal", "parcom")},
    "nrngui1.hoc": ("pcchdir.hoc", *_STDGUI), "single1.hoc": ("pcchdir.hoc", "single.hoc", *_STDGUI),
    "macload.hoc": ("nrngui.hoc", *_STDGUI),
    **{f"{n}.hoc": ("stdlib.hoc",) for n in ("import3d", "funfit", "runfit", "lincir")},
}
# the library files NEURON 9.0.2 runs a second time without stopping (they define no template)
AGAIN = frozenset({"nrngui.hoc", "stdgui.hoc", "noload.hoc", "nrngui1.hoc", "single1.hoc", "movierun.hoc",
                   "macload.hoc"})
# a GUI tool's file -> the first name it takes from another library file, and that file
NEEDS: dict[str, tuple[str, str]] = {
    "atoltool.hoc": ("cvode", "stdrun.hoc"), "electrod.hoc": ("run", "stdrun.hoc"),
    "lincir.hoc": ("addplot", "stdrun.hoc"), "netbild.hoc": ("addplot", "stdrun.hoc"),
    "runfit.hoc": ("run", "stdrun.hoc"), "movierun.hoc": ("String", "stdlib.hoc"),
    "pointman.hoc": ("hoc_sf_", "stdlib.hoc"), "wingroup.hoc": ("object_index", "stdlib.hoc"),
}

# the files whose load ends NEURON (quit())
QUITS = frozenset({"mknrndll.hoc", "modlunit.hoc"})


def library_file(base: str) -> str:
    """The file name of a library load (`"nrngui"` -> `"nrngui.hoc"`)."""
    return base if base.endswith(".hoc") else f"{base}.hoc"


def run(interp, name: str, base: str, once: bool, written: str, loc) -> bool:
    """`load_file(name)` (`once`: a name loaded before is not run again) of the library file `base`: whether
    NEURON runs the file now; a run that stops NEURON is refused here, at file:line."""
    files = interp.files
    if once and name in files.loaded:
        return False
    file = library_file(base)
    ran = files.library_runs
    if file in ran and file not in AGAIN:
        raise interp.error(f'load_file("{written}"): NEURON runs {file} a second time here (another path, '
                           "load_file(1, ...) or xopen) and stops: its templates cannot be redefined", loc)
    if file in QUITS:
        raise interp.error(f'load_file("{written}"): NEURON\'s {file} (a tool of NEURON for Windows) ends NEURON '
                           "(quit()) when it is loaded", loc)
    check_needs(interp, file, written, loc)
    files.loaded.add(name)
    for other in RUNS.get(file, ()):
        if other not in ran:
            files.loaded.add(other)
            ran.add(other)
    ran.add(file)
    return True


def check_needs(interp, file: str, written: str, loc) -> None:
    """Refuse the load of `file` (NEEDS) before the library file that declares what it takes."""
    need = NEEDS.get(file)
    if need is not None and need[1] not in interp.files.library_runs:
        raise interp.error(f'load_file("{written}"): {file} takes `{need[0]}` from {need[1]}, which is not '
                           f'loaded: NEURON stops here ("{need[0]} not declared at the top level"); load '
                           f"{need[1]} (or nrngui.hoc) first", loc)
