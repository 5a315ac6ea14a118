"""`HocSession` (an `h`-like HOC session) and `load_hoc` (a HOC model in one call).

    hoc = bridge.HocSession(mechanisms="mod/")
    hoc.load_file("init.hoc")
    hoc("make_cell(0)")
    hoc.tstop                  # NEURON's names, from Python
    model = hoc.model()        # HocModel: .tree (SectionTree) and .protocol
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

from bridge.errors import SourceLocation
from bridge.hoc import kept_v, lifetimes, netcon, runcheck, setpointer
from bridge.hoc.bindings import Constant, GlobalVar
from bridge.hoc.calls import call_proc
from bridge.hoc.catalog import Catalog
from bridge.hoc.classes import CVode
from bridge.hoc.control import Quit, StopRun
from bridge.hoc.gui import MainMenu
from bridge.hoc.initstate import model_tree
from bridge.hoc.interp import Interpreter
from bridge.hoc.lists import HocList
from bridge.hoc.loader import FileState, load_file, run_text
from bridge.hoc.model_state import ModelState
from bridge.hoc.names import lookup
from bridge.hoc.outfiles import OutputFolder
from bridge.hoc.play import describe
from bridge.hoc.protocol import HocModel, Protocol
from bridge.hoc.strings import StringFunctions
from bridge.hoc.values import Builtin, NumVar, ObjVar, Proc, SecVar, StrVar
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.readroots import ReadRoots, real_path


class HocSession:
    """A HOC interpreter with its model, used from Python the way `neuron.h` is.

    `mechanisms`: a folder (or list of folders / .mod files) of the model's
    mechanisms; bridge's built-in pas, hh, IClamp, ... are always there.
    `limits` bounds the work, memory, file size and nesting one session may use
    (`max_statements` and `max_depth`, when given, replace its `max_statements` and
    `max_call_depth`); `cwd` is the working directory `load_file` falls back to.

    The model reads files (`load_file`, `xopen`, `ropen`, `File`, Import3d, NMODL
    `INCLUDE`) only inside its read roots (`bridge.readroots`): `cwd`, the folder of
    each file loaded from Python with `load_file`, the mechanism folders and files, and
    the folders (or files) in `allow_read`, e.g. `allow_read=["../common"]` for a model
    that loads `../common/lib.hoc`. One file read is at most `limits.max_file_size` bytes.

    The model writes files (`File.wopen`/`aopen`/`printf`, `wopen`/`fprint`, `Vector.printf(f)`,
    `Vector.fwrite`, `Matrix.fprint`) only into `output_dir` (created when needed): a relative
    name is a file inside it (the folders it names are created there); absolute names, `..` and
    symbolic links are refused, and at most `limits.max_output_bytes` are written. Without
    `output_dir` every write is refused.
    """

    def __init__(self, mechanisms=None, *, cwd=None, allow_read=(), limits: Limits = DEFAULT_LIMITS,
                 max_statements: int | None = None, max_depth: int | None = None, stdout=None, output_dir=None):
        if max_statements is not None:
            limits = dataclasses.replace(limits, max_statements=max_statements)
        if max_depth is not None:
            limits = dataclasses.replace(limits, max_call_depth=max_depth)
        folders = [] if mechanisms is None else ([mechanisms] if isinstance(mechanisms, (str, os.PathLike))
                                                 else list(mechanisms))
        cwd = Path(cwd) if cwd is not None else Path.cwd()
        mech_paths = [Path(f) for f in folders]
        roots = ReadRoots.of([cwd] + [p for p in mech_paths if p.is_dir()], [p for p in mech_paths if p.is_file()],
                             allow_read=allow_read, limits=limits)
        self._catalog = Catalog(folders, allow_read=allow_read, limits=limits)
        self._state = ModelState(self._catalog, stdout=stdout)
        # what the model may read (chdir() stays inside it too) and where it starts
        files = FileState(roots, str(cwd), output=OutputFolder(output_dir, limits.max_output_bytes))
        interp = Interpreter(self._state, files, limits)
        object.__setattr__(self, "_interp", interp)
        _stdrun_objects(interp)

    # -- running HOC ---------------------------------------------------------------
    def _guard(self, fn, *args):
        interp = self._interp
        try:
            fn(*args)
        except (Quit, StopRun):
            pass
        except BaseException:
            # as NEURON after an error: back at top level, no section pushed
            del interp.frames[1:]
            interp.model.sec_stack.clear()
            raise
        finally:
            self._warn_gui()

    def __call__(self, text: str) -> None:
        """Run HOC statements (like `h("...")`, but errors raise HocError)."""
        self._guard(run_text, self._interp, text, "<python>")

    def load_file(self, path) -> None:
        """Run a HOC file as NEURON's `h.load_file(path)` does: relative paths to the session's working
        directory, which is the file's folder while it runs. The file's folder becomes one the model
        may read (you named the file)."""
        self._guard(load_file, self._interp, str(self._admitted(path)), None, False, "load_file", True)

    def xopen(self, path) -> None:
        """Run a HOC file as `xopen` does: in the session's working directory."""
        self._guard(load_file, self._interp, str(self._admitted(path)), None, False, "xopen", False)

    def _admitted(self, path) -> Path:
        """`path` from the session's working directory; its folder becomes one the model may read (you named
        the file)."""
        files = self._interp.files
        p = Path(path)
        if not p.is_absolute():
            p = Path(files.cwd) / p
        if p.is_file():
            files.roots = files.roots.adding([real_path(p).parent])
        return p

    @property
    def read_roots(self) -> ReadRoots:
        """The folders (and files) the model may read (`bridge.readroots`)."""
        return self._interp.files.roots

    def working_directory(self) -> Path:
        """The session's working directory (after the model's `chdir` calls)."""
        return Path(self._interp.files.cwd)

    def files_read(self) -> list[Path]:
        """The HOC files the session ran, in order (real paths; a file run twice is listed twice)."""
        return list(self._interp.files.read)

    def shell_commands(self) -> list[str]:
        """The commands the HOC's `system()` calls asked for and bridge answered (`bridge.hoc.shell_info`)."""
        return list(self._interp.model.shell_commands)

    def mechanism_files(self) -> dict[str, Path]:
        """The .mod file of every mechanism the HOC used or named (inserted, created, or one of its
        variables read or set) and bridge accepted, by mechanism name (ions left out)."""
        return self._catalog.files_parsed()

    def _warn_gui(self) -> None:
        gui = self._state.gui_calls
        if gui:
            listed = ", ".join(f"{name} ({loc})" if loc else name for name, loc in gui.items())
            warnings.warn(f"HOC calls accepted but not executed (GUI, printed reports, compiled libraries): {listed}",
                          stacklevel=3)
            gui.clear()

    # -- values from Python -------------------------------------------------------
    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        b = lookup(self._interp, name)
        if b is None:
            raise AttributeError(f"HOC has no name {name!r}")
        if isinstance(b, NumVar):
            return float(b.data[0]) if not b.dims else b.data.reshape(b.dims).copy()
        if isinstance(b, StrVar):
            return b.value
        if isinstance(b, ObjVar):
            for obj in b.data:  # a recording Vector read from Python holds the live run's values, as in HOC
                if hasattr(obj, "check_filled"):
                    obj.check_filled(self._interp, SourceLocation("<python>", 1, 1))
            return b.data[0] if not b.dims else list(b.data)
        if isinstance(b, SecVar):
            return b.data[0] if not b.dims else list(b.data)
        if isinstance(b, GlobalVar):
            return self._state.globals[b.name]
        if isinstance(b, Constant):
            return b.value
        return _Callable(self, name)

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        self(f"{name} = {float(value)!r}")

    # -- results ------------------------------------------------------------------------
    @property
    def tree(self):
        self._state.sync_sections()
        return self._state.tree

    def model(self) -> HocModel:
        """The model built so far: a copy of the SectionTree and the protocol."""
        lifetimes.collect(self._interp)  # what HOC dropped is not in the model (NEURON destroyed it)
        st = self._state
        tree = model_tree(st)
        g = st.globals
        protocol = Protocol(
            celsius=g["celsius"], v_init=g["v_init"], tstop=g["tstop"], dt=g["dt"],
            steps_per_ms=g["steps_per_ms"], secondorder=int(g["secondorder"]),
            stimuli=list(tree.point_processes), recordings=list(st.recordings),
            globals=setpointer.run_globals(st, tree), runs=list(st.runs), ion_styles=dict(st.ion_styles),
            cvode=st.cvode, changed_after_run=runcheck.changed_since(st, st.last_frozen),
        )
        if st.runs:
            last = st.runs[-1]
            protocol.v_init, protocol.dt, protocol.celsius = last.v_init, last.dt, last.celsius
            protocol.secondorder = last.secondorder
            if last.tstop is not None:
                protocol.tstop = last.tstop
        known = self._catalog._files
        files = {name: str(known[name]) for name in tree.mechanism_names() if name in known}
        for name in list(files):  # the mechanisms whose GLOBALs an EXTERNAL reads are loaded too, as in NEURON
            for ext in self._catalog.get(name).externals:
                owner = self._catalog.lookup_global(ext)
                if owner is not None and owner[0] in known:
                    files.setdefault(owner[0], str(known[owner[0]]))
        net, spike_records = netcon.network(st.event_objects, st)
        for cell in net.cells if net is not None else ():  # ARTIFICIAL_CELLs are in no section
            if cell.name in known:
                files.setdefault(cell.name, str(known[cell.name]))
        live = _live_traces(st, protocol.changed_after_run)
        return HocModel(tree, protocol, files, self._catalog.roots, self._interp.limits,
                        runtime_mechanisms=self._catalog.runtime_mechanisms(tree.mechanism_names()),
                        live_traces=live, plays=tuple(describe(p.target) for p in st.plays),
                        network=net, spike_records=spike_records,
                        carried=tuple(f"{m}.{v}" for m, vs in sorted(st.live.carry.items()) for v in sorted(vs)))

    def recorded_vectors(self) -> dict:
        """The top-level Vectors that record (`vec.record(&...)`), by HOC name (`vs`, `vrec[2]`), with what
        they hold now (the live run's values, simulated first where needed)."""
        from bridge.hoc.vector import Vector

        loc = SourceLocation("<python>", 1, 1)
        out = {}
        for name, b in self._interp.top.items():
            if not isinstance(b, ObjVar):
                continue
            for i, obj in enumerate(b.data):
                if isinstance(obj, Vector) and obj.recording is not None:
                    obj.check_filled(self._interp, loc)
                    out[name if not b.dims else f"{name}[{i}]"] = list(obj.data)
        return out

    @property
    def live(self):
        """The session's live run (`bridge.hoc.live.LiveRun`): compilations, engines, the state now."""
        return self._state.live


def _live_traces(st: ModelState, changed_after: bool):
    """The last run as the live run simulated it, when simulating the model again from finitialize() in one
    piece would not be that run: it stepped while HOC ran, HOC assigned v or a STATE after finitialize(),
    the model changed between the pieces of the run or after it, or HOC moved t. None otherwise (then
    `HocModel.simulate` runs it, and nothing was compiled while the HOC ran)."""
    from bridge.hoc.live import probes

    live = st.live
    if not live.started() or (not live.stepped and not live.pending):
        return None  # nothing ran past finitialize(): simulate() runs the model to tstop, as it always did
    frozen = live.frozen_models()
    pieces = live.pending
    if any(p.steps < 0 for p in pieces):
        return None  # over Limits.max_steps: simulate() refuses it
    one_piece = (not live.stepped and live.state is None and not st.after_init and not changed_after
                 and not live.cursors  # a Vector.play: only the live run applies it
                 and not live.carry  # values the last run left (bridge.hoc.carried_runs): only the live run has them
                 and len({f.digest for f in frozen}) <= 1
                 and all(f.cj_order is None for f in frozen)  # NEURON's cj of another secondorder (live.cj_order)
                 and len(pieces) <= 1 and all(p.t_start == 0.0 for p in pieces)
                 and list(live.recordings) == list(st.recordings)
                 and all(p.group == 1 for p in pieces)  # one continuerun from 0: Simulation's step count
                 and (not pieces or kept_v.same(pieces[0].frozen.v_init, frozen[0].v_init))
                 and live.tables_fresh())  # no TABLE kept stale from an earlier run (bridge.hoc.live_tables)
    if one_piece:
        return None
    traces = live.traces()
    if list(traces.labels) != probes(st.recordings):
        return None  # recordings changed after finitialize(): the run's traces are not the model's probes
    return traces


def _stdrun_objects(interp) -> None:
    """Objects stdrun.hoc declares that session files (.ses) use: graphList[4], flush lists."""
    loc = SourceLocation("stdrun.hoc", 0, 0)
    lists = ObjVar((4,))
    lists.data = [HocList(interp, [], loc) for _ in range(4)]
    interp.top["graphList"] = lists
    for name in ("flush_list", "fast_flush_list"):
        var = ObjVar()
        var.data[0] = HocList(interp, [], loc)
        interp.top[name] = var
    interp.top["n_graph_lists"] = NumVar((), 4.0)
    interp.top["graphItem"] = ObjVar()  # stdrun.hoc's `objref graphItem` (newPlot sets it)
    for name, value in (("tstr", ""), ("temp_string_", "t"), ("temp_string2_", "")):
        interp.top[name] = interp.new_str(value)  # stdlib.hoc's and stdrun.hoc's top-level strdefs
    sf = ObjVar()
    sf.data[0] = StringFunctions(interp, [], loc)
    interp.top["hoc_sf_"] = sf  # stdlib.hoc's StringFunctions
    cv = ObjVar()
    cv.data[0] = CVode(interp, [], loc)
    interp.top["cvode"] = cv  # stdrun.hoc's `cvode = new CVode()`
    menu = ObjVar()
    menu.data[0] = MainMenu(interp)
    interp.top["nrnmainmenu_"] = menu  # nrngui.hoc's main menu (stdrun.hoc nrnmainmenu()): miscellaneous_add, ...


class _Callable:
    """`hoc.make_cell(0)`: calls a HOC procedure or function by name."""

    def __init__(self, session: HocSession, name: str):
        self.session, self.name = session, name

    def __call__(self, *args):
        interp = self.session._interp
        b = lookup(interp, self.name)
        loc = SourceLocation("<python>", 1, 1)
        values = [float(a) if isinstance(a, (int, float)) else a for a in args]
        if isinstance(b, Proc):
            return call_proc(interp, b, values, None, loc)
        if isinstance(b, Builtin):
            return b.fn(interp, values, loc)
        raise TypeError(f"{self.name} is not callable")


def load_hoc(path, mechanisms=None, statements=(), *, cwd=None, allow_read=(), limits: Limits = DEFAULT_LIMITS,
             max_statements: int | None = None, output_dir=None) -> HocModel:
    """The model NEURON would build from the HOC file `path` (then `statements`, HOC text, run in order).

    `path` runs as NEURON's `load_file` runs it, in its own folder; relative names in it
    resolve in the working directory as in NEURON (`load_file("sub/x.hoc")` runs x.hoc in
    `sub/`); `cwd` (default: the folder of `path`) is the working directory after it. The model
    reads files only in the folder of `path`, `cwd`, the mechanism folders and the
    folders (or files) in `allow_read`; `limits` bounds its work and memory; the files it writes go
    into `output_dir` only (none: every write is refused; see `HocSession`).
    """
    p = Path(path).resolve()
    session = HocSession(mechanisms, cwd=cwd if cwd is not None else p.parent, allow_read=allow_read,
                         limits=limits, max_statements=max_statements, output_dir=output_dir)
    session.load_file(p)
    for stmt in statements:
        session(stmt)
    return session.model()
