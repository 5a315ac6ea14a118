"""The model a HOC program builds: sections, range variables, point processes, settings.

`ModelState` owns the `SectionTree` and everything NEURON keeps beside it while
HOC runs: the section stack (`soma { ... }`), the accessed section, NEURON's
global variables (celsius, dt, tstop, ...), recordings and run requests.
Range variables follow NEURON's rules: `diam = 2` sets every segment,
`diam(0.3) = 2` the segment containing x = 0.3, `diam(0:1) = 2:3` a ramp over
segment centres.
"""

from __future__ import annotations

import math
import re
import sys
import warnings
from typing import Any

import numpy as np

from bridge.errors import BridgeError, HocError
from bridge.hoc import extracellular, kept_v, randomvars, reinsert
from bridge.hoc.bindings import GlobalVar, MechanismVariable, RangeVar, SectionProperty, SegmentVariable
from bridge.hoc.catalog import Catalog
from bridge.hoc.ion_styles import promote_section
from bridge.hoc.live import Frozen, LiveRun
from bridge.hoc.nseg_points import relocate_points
from bridge.hoc.protocol import Recording, RunRequest
from bridge.hoc.random import RandomSession
from bridge.hoc.values import ElemRef, NumVar, PointProcessTarget, RangeTarget, Sec, SecVar, Segment, is_number
from bridge.morphology.nodes import section_geometry
from bridge.morphology.tree import MAX_NSEG, Origin, SectionTree

SECTION_PROPERTIES = ("L", "nseg", "Ra", "rallbranch")
CABLE_VALUES = ("L", "nseg", "Ra", "diam", "cm")  # their assignments are recorded in Section.origin
SEGMENT_VARIABLES = ("diam", "cm", "v")

# NEURON's built-in variables (and stdrun.hoc's) with their defaults.
NEURON_GLOBALS = {
    "celsius": 6.3, "dt": 0.025, "t": 0.0, "secondorder": 0.0, "tstop": 5.0, "v_init": -65.0,
    "steps_per_ms": 40.0, "float_epsilon": 1e-11, "hoc_ac_": 0.0, "stoprun": 0.0, "realtime": 0.0,
    "global_ra": 35.4, "using_cvode_": 0.0, "stdrun_quiet": 0.0, "running_": 0.0,
    "screen_update_invl": 0.05, "clamp_resist": 1e-3, "diam_changed": 0.0, "nstep_steprun": 1.0,
    "PI": math.pi, "E": math.e, "GAMMA": 0.5772156649015329, "DEG": 180.0 / math.pi,
    "PHI": (1.0 + math.sqrt(5.0)) / 2.0, "FARADAY": 96485.33212331001, "R": 8.31446261815324,
}


def origin(interp, loc) -> Origin:
    """The HOC file location `loc` with the file's text (for a caret in a later error)."""
    return Origin(loc, interp.source_of.get(loc.filename) if loc is not None else None)


class ModelState:
    """Everything a HOC program has built so far."""

    def __init__(self, catalog: Catalog, stdout=None):
        self.catalog = catalog
        self.tree = SectionTree()
        self.random_session = RandomSession()  # NEURON's process-wide random state (bridge.hoc.random)
        self.sections: list[Sec] = []
        self.sec_stack: list[Sec] = []
        self.accessed: Sec | None = None
        self.globals: dict[str, float] = dict(NEURON_GLOBALS)
        self.set_globals: dict[str, float] = {}
        self.mutations = 0  # counts assignments to range variables, globals and point processes (runcheck)
        self.finit_handlers: list = []  # weak references to FInitializeHandlers (bridge.hoc.finithnd)
        self.recordings: list[Recording] = []
        self.runs: list[RunRequest] = []
        self.v_writes: list = []  # HOC's v assignments before the first finitialize() (bridge.hoc.kept_v)
        self.point_processes: list = []
        self.fstim_slots: list = []  # fstim's stimuli (bridge.hoc.fstim)
        self.linear_mechanisms: list = []  # weak references to LinearMechanisms (bridge.hoc.linear_mechanism)
        self.linear_dense = None  # their dense matrices' memory Charge (bridge.hoc.linear_mechanism._charge_dense)
        self.function_tables: dict = {}  # "<name>_<suffix>" -> what table_<name>_<suffix>() gave (bridge.hoc.functable)
        # the sections' instances at the last finitialize() with carried names (bridge.hoc.carried_runs)
        self.carried_sections: dict | None = None
        self.global_assigned: dict = {}  # {mechanism: {GLOBAL ASSIGNED: HOC's last value}} (bridge.hoc.global_assigned)
        self.global_assigned_pending: set = set()  # {(mechanism, variable)} written while no run could hold them
        self.uninserted: set = set()  # {(id(Sec), mechanism)} uninserted since the last finitialize() (hoc.reinsert)
        self.gui_calls: dict[str, Any] = {}
        self.shell_commands: list[str] = []  # the commands system() answered (bridge.hoc.shell_info)
        self.ion_styles: dict[str, tuple[int, ...]] = {}
        self.stdout = stdout
        self._range_cache: dict[str, RangeVar | None] = {}
        self.live = LiveRun()  # the simulation finitialize()/fadvance()/continuerun() advance (bridge.hoc.live)
        self.initialized: LiveRun | None = None  # after finitialize(): the live run HOC reads values from
        self.after_init: list[str] = []  # assignments after finitialize() a run simulated in one piece loses
        self.kept_ion_currents: dict = {}  # section -> {"ica": per segment}: bridge.hoc.ion_carry
        self.advanced_to: float | None = None  # t [ms] once a run stepped past finitialize()
        self.last_frozen: Frozen | None = None  # the model as the last piece of the live run was asked for
        self.frozen_mutations = -1  # `mutations` when it was frozen (fadvance freezes again only after a change)
        self.nstep_steprun = 1  # stdrun's fadvance() calls per step() (set by setdt)
        self.hoc_records: list = []  # (Vector weakref, Ref) of recorded HOC variables (bridge.hoc.hoc_records)
        # NEURON's NrnThread dt, t and the secondorder its cj was computed with (fadvance.cpp dt2thread;
        # bridge.hoc.stdrun.dt2thread)
        self.cj_dt, self.thread_t, self.cj_secondorder = 0.025, 0.0, 0.0
        self.plays: list = []  # Vector.play requests (bridge.hoc.play.Play), frozen at finitialize()
        self.hoc_ac_played = False  # a statement play ran since HOC last set hoc_ac_ (bridge.hoc.play_statement)
        self.cvode = False  # the model asked for CVODE (Protocol.cvode)
        self.numerical_panel_box: Any = None  # NumericalMethodPanel[0]'s `b1` once map() built it (numerical_panel)
        self.hoc_mechanisms: dict = {}  # make_mechanism() mechanisms by suffix (bridge.hoc.hocmech)
        self.dt_before_cvode: float | None = None  # stdrun's dtsav while cvode_active(1) holds (bridge.hoc.stdrun)
        # what CVode.active(), use_local_dt(), use_daspk() return: the model's requests (the run is fixed-step)
        self.cvode_flags = {"active": 0.0, "use_local_dt": 0.0, "use_daspk": 0.0}
        self.distance_origin: tuple[Sec, float] | None = None  # distance(0, x): the section and x
        self.translations: dict[str, Any] = {}  # mechanism name -> its translation, for initstate's reads
        # objects a window holds (`vbox.ref(this)` in NEURON's GUI tools): they live as long as the session
        self.window_held: list[Any] = []
        self.event_objects: Any = None  # NetCons, artificial cells, gids (bridge.hoc.netcon.EventObjects)
        self.cells_split = False  # ParallelComputeTool.multisplit(1) holds (bridge.hoc.split_state)
        self.pointer_scalars: dict = {}  # the HOC scalars POINTERs read: `hoc:mu` -> (NumVar, element) (setpointer)

    def cvode_requested(self, what: str, loc) -> None:
        """The model asked for CVODE: bridge runs NEURON's fixed step; say so once."""
        if not self.cvode:
            self.cvode = True
            warnings.warn(f"{loc}: {what}: the model asks for NEURON's variable step (CVODE); bridge records "
                          "the protocol for NEURON's fixed step (Protocol.cvode is True)", stacklevel=2)

    def write(self, text: str) -> None:
        (self.stdout or sys.stdout).write(text)

    # -- globals ---------------------------------------------------------------------
    def known_global(self, name: str) -> bool:
        found = self.catalog.lookup_global(name)
        if found is None:
            return False
        self.globals[name] = found[1]
        return True

    def read_global(self, name: str, loc, interp) -> float:
        """A NEURON global's value (refused while a Vector plays into it, `bridge.hoc.play`)."""
        if self.initialized is not None and self.live.cursors:
            from bridge.hoc.play import check_not_played

            check_not_played(self, "global", (name,), name, name, loc, interp)
        if name == "hoc_ac_" and self.hoc_ac_played:
            raise interp.refuse("hoc_ac_ is read after a Vector played a statement: NEURON leaves the last played "
                                "value there, bridge does not hand it back to HOC", loc)
        if self.initialized is not None:
            found = self._assigned_global_parameter(name, loc, interp)
            if found is not None:
                return found
        return self.globals[name]

    def _assigned_global_parameter(self, name: str, loc, interp) -> float | None:
        """A GLOBAL PARAMETER the mechanism's code assigns (`depth = diam/4` in INITIAL), after finitialize():
        NEURON's one C variable holds the value the last instance computed; bridge keeps it per instance, so it
        answers when every instance holds the same value and refuses otherwise. None for any other global."""
        found = self.catalog.lookup_global(name)
        if found is None or found[0].endswith("_ion"):
            return None
        mech = found[0]
        info = self.catalog.get(mech)
        var = name[: -len(mech) - 1] if name.endswith("_" + mech) else name
        if var not in info.assigned_parameters:
            return None
        values = self.live.mechanism_values(mech, var)
        if values is None or not len(values):
            return None
        if not all(float(x) == float(values[0]) or (x != x and values[0] != values[0]) for x in values):
            raise interp.refuse(f"reading {name} after finitialize(): {var} is a GLOBAL of {mech} that its code "
                                "assigns, and its instances computed different values (NEURON's holds the last "
                                "instance's; bridge keeps one per instance)", loc)
        return float(values[0])

    def segment_of(self, sec_name: str, x: float) -> int | None:
        """The segment index of `sec_name` containing x (None for no such section)."""
        for sec in self.sections:
            if sec.name == sec_name:
                return sec.data.segment(x)
        return None

    def set_global(self, name: str, value) -> None:
        if not is_number(value):
            raise HocError(f"{name} must be a number")
        value = float(value)
        self.mutations += 1
        if name == "secondorder" and value not in (0.0, 1.0, 2.0):
            raise HocError(f"secondorder must be 0, 1 or 2, not {value:g}")
        if name == "dt" and not value > 0:  # NaN too
            raise HocError("dt must be > 0")
        self.globals[name] = value
        if name == "hoc_ac_":
            self.hoc_ac_played = False
        if name not in NEURON_GLOBALS and not self.catalog.library_global(name):  # (a library's: no run reads it)
            self.set_globals[name] = value

    # -- sections ----------------------------------------------------------------------
    def create(self, interp, name: str, dims, ns: dict, owner, loc) -> None:
        old = ns.get(name)
        if old is not None and not isinstance(old, SecVar):
            raise interp.error(f"{name} already declared as something else", loc)
        if isinstance(old, SecVar):
            for sec in old.data:
                if sec is not None and sec.alive:
                    self.delete(sec)
        if len(dims) > 1:
            raise interp.error("sections arrays have one dimension", loc)
        var = SecVar(dims)
        prefix = f"{owner.hname}." if owner is not None else ""
        count = dims[0] if dims else 1
        for i in range(count):
            full = f"{prefix}{name}[{i}]" if dims else f"{prefix}{name}"
            sec = Sec(self.tree.section(full), owner)
            var.data[i] = sec
            self.sections.append(sec)
        ns[name] = var

    def sync_sections(self) -> None:
        """Copy every section's 3-D points (and L from them), and the LinearMechanisms' values, into the tree."""
        for sec in self.sections:
            sec.sync()
        # the LinearMechanisms alive and valid, in creation order (nrndae.cpp's list), with their values now
        self.linear_mechanisms = [ref for ref in self.linear_mechanisms if ref() is not None]
        live = [lm for lm in (ref() for ref in self.linear_mechanisms) if lm is not None and lm.valid()]
        self.tree.linear_mechanisms = [lm.snapshot() for lm in live]

    def delete(self, sec: Sec) -> None:
        sec.alive = False
        self.tree.delete(sec.name)
        self.sections = [s for s in self.sections if s is not sec]
        self.point_processes = [p for p in self.point_processes if p.sec is not sec]
        if self.accessed is sec:
            self.accessed = None

    def push(self, sec: Sec) -> None:
        if not sec.alive:
            raise HocError(f"section {sec.name} was deleted")
        self.sec_stack.append(sec)

    def pop(self) -> None:
        if not self.sec_stack:
            raise HocError("section stack underflow (pop_section without push_section)")
        self.sec_stack.pop()

    def current(self, interp, loc) -> Sec:
        """NEURON's currently accessed section: the stack top, else `access`, else the first created."""
        if self.sec_stack:
            return self.sec_stack[-1]
        if self.accessed is not None and self.accessed.alive:
            return self.accessed
        for sec in self.sections:
            if sec.alive:
                return sec
        raise interp.error("no accessed section (create a section first)", loc)

    def connect(self, child, parent, loc, interp) -> None:
        if isinstance(child, Segment):
            csec, end = child.sec, child.x
        elif isinstance(child, Sec):
            csec, end = child, 0.0
        else:
            raise interp.error(f"connect: a child section was expected, not {interp.describe(child)}", loc)
        if isinstance(parent, Segment):
            psec, px = parent.sec, parent.x
        elif isinstance(parent, Sec):
            psec, px = parent, 1.0
        elif is_number(parent):
            psec, px = self.current(interp, loc), float(parent)
        else:
            raise interp.error(f"connect: a parent location was expected, not {interp.describe(parent)}", loc)
        if end not in (0.0, 1.0):
            raise interp.error(f"connect: the child end must be 0 or 1, not {end:g}", loc)
        if not (csec.alive and psec.alive):
            raise interp.error("connect: a deleted section", loc)
        self.tree.connect(csec.name, psec.name, px, end)

    def name_matcher(self, pattern: str, anywhere: bool = True, obj=None):
        """NEURON 9's section-name match (std::regex, whole name): `.*pattern.*` (`obj.*pattern.*`
        inside an object); `[` and `]` are literal, `<` and `>` make a character class."""
        def escape(text: str) -> str:
            return "".join({"<": "[", ">": "]", "[": "\\[", "]": "\\]"}.get(c, c) for c in text)

        prefix = obj.hname if obj is not None else ""
        full = f"{prefix}.*{pattern}.*" if anywhere else pattern
        try:
            regex = re.compile(escape(full))
        except re.error as err:
            raise HocError(f"bad section name pattern {pattern!r}: {err}") from None
        return lambda name: regex.fullmatch(name) is not None

    def object_sections(self, obj) -> list[Sec]:
        """`forall` inside an object visits only that object's sections."""
        return [s for s in self.sections if s.alive and (obj is None or s.owner is obj)]

    # -- mechanisms -----------------------------------------------------------------------
    def insert(self, sec: Sec, mech: str) -> None:
        if mech in ("capacitance", "morphology"):
            return  # NEURON's cm and diam: every section has them
        if mech == extracellular.NAME:  # NEURON's built-in (bridge.hoc.extracellular)
            sec.data.insert(mech)
            return
        if mech not in self.catalog:
            if mech == "fastpas":
                raise HocError(f"insert {mech}: NEURON's built-in {mech} is not supported by bridge yet")
            raise HocError(f"{mech} is not a mechanism (no .mod file defines it)")
        info = self.catalog.get(mech)
        if info.kind == "ion":  # `insert na_ion`: the ion's variables exist in the section
            sec.data.insert(mech)
            return
        if info.kind != "density":
            raise HocError(f"{mech} is a point process; create it with 'new {mech}(x)'")
        was_inserted = mech in sec.data.mechanisms
        sec.data.insert(mech)
        randomvars.on_insert(self, sec, info, was_inserted)
        promote_section(sec, info.ions)

    def uninsert(self, sec: Sec, mech: str) -> None:
        if mech in ("capacitance", "morphology"):
            raise HocError(f"uninsert {mech}: bridge keeps every section's {mech}")
        reinsert.on_uninsert(self, sec, mech)
        sec.data.uninsert(mech)

    def ions_of(self, sec: Sec) -> set[str]:
        ions: set[str] = set()
        for m in sec.data.mechanisms:
            if not m.endswith("_ion"):
                ions.update(i[0] for i in self.catalog.get(m).ions)
        return ions

    def point_process_kind(self, name: str):
        if name in self.catalog and not name.endswith("_ion"):
            info = self.catalog.get(name)
            if info.kind in ("point", "artificial"):
                return info
        return None

    # -- range variables -----------------------------------------------------------------
    def range_kind(self, name: str) -> RangeVar | None:
        """What `name` is as a range variable (`bridge.hoc.bindings`), or None."""
        if name in self._range_cache:
            return self._range_cache[name]
        var: RangeVar | None
        if name in SECTION_PROPERTIES:
            var = SectionProperty(name)
        elif name in SEGMENT_VARIABLES:
            var = SegmentVariable(name)
        elif extracellular.key_of(name) is not None:
            var = MechanismVariable(extracellular.key_of(name) or name, extracellular.NAME)
        else:
            found = self.catalog.lookup_variable(name)
            var = MechanismVariable(found[1], found[0]) if found else None
        self._range_cache[name] = var
        return var

    def _check_mech(self, sec: Sec, var: MechanismVariable, interp, loc) -> None:
        mech = var.mechanism
        if var.is_ion:
            if mech[:-4] not in self.ions_of(sec) and mech not in sec.data.mechanisms:
                raise interp.error(f"{var.name}: no mechanism in {sec.name} uses the {mech[:-4]} ion", loc)
        elif mech not in sec.data.mechanisms:
            raise interp.error(f"{var.name}_{mech}: mechanism {mech} is not inserted in {sec.name}", loc)

    def get_range(self, sec: Sec, var: RangeVar, x: float | None, loc, interp) -> float:
        """The value of `var` in `sec` at x (None: the section's value, or at 0.5)."""
        if not sec.alive:
            raise interp.error(f"section {sec.name} was deleted", loc)
        if isinstance(var, SectionProperty):
            return self._get_property(sec, var.name)
        j = sec.data.segment(0.5 if x is None else x)
        if isinstance(var, SegmentVariable):
            return self._get_segment_value(sec, var.name, j, x, loc, interp)
        return self._get_mechanism_value(sec, var, j, x, loc, interp)

    @staticmethod
    def _get_property(sec: Sec, name: str) -> float:
        data = sec.data
        if name == "L":
            sec.sync()
            return float(data.L)
        if name == "nseg":
            return float(data.nseg)
        if name == "Ra":
            return float(data.Ra)
        return 1.0  # rallbranch

    def _get_segment_value(self, sec: Sec, name: str, j: int, x: float | None, loc, interp) -> float:
        if name == "diam":
            self.area_ri(sec)
            return float(sec.data.diam[j])
        if name == "cm":
            if self.initialized is not None and self.live.cursors:
                from bridge.hoc.play import check_not_played

                check_not_played(self, "cm", ("capacitance", sec.name, j), "cm", f"{sec.name}.cm", loc, interp)
            return float(sec.data.cm[j])
        if x in (0.0, 1.0):  # an end node (the parent's node at 0): its own v (bridge.hoc.kept_v)
            return self._end_v(sec, float(x), loc, interp)
        if self.initialized is not None:
            found = self._live_value(sec, j, "v", loc, interp)
            if found is not None:
                return found
        return float(sec.voltages.get(j, -65.0))  # NEURON's v before finitialize

    def _end_v(self, sec: Sec, x: float, loc, interp) -> float:
        if self.initialized is not None:
            try:
                found = self.live.end_v(sec.name, x)
            except BridgeError as err:
                raise interp.error(str(err), loc) from None
            if found is not None:
                return found
        from bridge.hoc.initstate import model_tree

        return kept_v.end_value(self, model_tree(self), sec.name, x)

    def _get_mechanism_value(self, sec: Sec, var: MechanismVariable, j: int, x: float | None, loc, interp) -> float:
        """A mechanism's or ion's value: after finitialize() a computed one is the live run's now
        (`bridge.hoc.live`); before, what HOC assigned or the parameter."""
        self._check_mech(sec, var, interp, loc)
        mech, name = var.mechanism, var.name
        snap = self.initialized
        info = self.catalog.get(mech)
        computed = name not in info.parameters and name not in info.unwritten_assigned  # unwritten: only HOC, plays
        if snap is not None and (var.is_ion or computed or name in info.assigned_parameters
                                 or extracellular.carried_e(self, mech, name)):
            reinsert.check(self, interp, sec, mech, var.hoc_name, loc)
            found = self._live_value(sec, j, var.hoc_name, loc, interp)
            if found is not None:
                return found
        if snap is not None:
            from bridge.hoc.play import check_not_played

            check_not_played(self, "range", (mech, sec.name, j), name, f"{sec.name}.{var.hoc_name}", loc, interp)
        kept = sec.preinit.get((mech, name), {})
        if j in kept and snap is None:
            return kept[j]
        return float(sec.data.get_range(mech, name, self.catalog.get(mech).parameters.get(name, 0.0))[j])

    def _live_value(self, sec: Sec, j: int, name: str, loc, interp) -> float | None:
        """`name` at segment j of `sec` in the live run now (simulating what is pending first)."""
        try:
            found = self.live.get(self, sec.name, j, name)
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        return None if found is None else float(found)

    def area_ri(self, sec: Sec) -> None:
        """NEURON's nrn_area_ri on a section with 3-D points: its segment (node) diameters become
        those of the 3-D points. NEURON runs it when a diameter, area or ri is read (and before a
        simulation), not when one is assigned, so until then the node diameters a `diam` assignment
        spreads onto the 3-D points (`diam_change`) are the ones last assigned or computed
        (treeset.cpp nrn_area_ri, nrn_diam_change; cabcode.cpp range_interpolate)."""
        if sec.points:
            sec.data.diam = self.segment_diams(sec).copy()

    def segment_diams(self, sec: Sec) -> np.ndarray:
        """Per-segment diameters (x order) from the 3-D points, as NEURON computes them."""
        sec.sync()
        geom = section_geometry(sec.data)
        d = np.asarray(geom.diam[: sec.data.nseg], dtype=float)
        return d[::-1] if sec.data.child_end == 1.0 else d

    def set_range(self, sec: Sec, var: RangeVar, value, x: float | None, loc, interp) -> None:
        """Assign `var` in `sec` at x (None: every segment, or the section's value)."""
        self.mutations += 1
        if not is_number(value):
            raise interp.error(f"{var.name} must be a number", loc)
        value = float(value)
        if not isinstance(var, MechanismVariable) and var.name in CABLE_VALUES:
            # where it was set, for errors about the geometry (bridge.morphology.nodes)
            sec.data.origin[var.name] = origin(interp, loc)
        if isinstance(var, SectionProperty):
            self._set_property(sec, var.name, value, loc, interp)
        elif isinstance(var, SegmentVariable):
            self._set_segment_value(sec, var.name, value, x, loc, interp)
        else:
            self._set_mechanism_value(sec, var, value, x, loc, interp)

    def _set_property(self, sec: Sec, name: str, value: float, loc, interp) -> None:
        data = sec.data
        if name == "nseg":
            if not value >= 1:  # NaN too (NEURON: "nseg must be positive")
                raise interp.error(f"nseg must be >= 1, not {value:g}", loc)
            if value >= MAX_NSEG + 1:
                raise interp.error(f"nseg = {value:g} is more than NEURON allows ({MAX_NSEG})", loc)
            relocate_points(self, sec, int(value))  # on the nodes NEURON moves them to
            randomvars.set_nseg(self, interp, sec, int(value), loc)  # NEURON's RANDOM streams kept or made
            sec.voltages = {}
        elif name == "L":
            if value <= 0:
                raise interp.error(f"L must be > 0, not {value:g}", loc)
            if sec.points:
                data.origin["pt3d"] = data.origin["pt3d nonfinite"] = data.origin["L"]
                self.length_change(sec, value)
            data.L = value
        elif name == "Ra":
            data.Ra = value
        else:
            raise interp.refuse("rallbranch is not supported", loc)

    def _set_segment_value(self, sec: Sec, name: str, value: float, x: float | None, loc, interp) -> None:
        data = sec.data
        idx = slice(None) if x is None else data.segment(x)
        if name == "diam":
            data.diam[idx] = value  # the node diameters; the others stay as they are (see area_ri)
            if sec.points:
                data.origin["pt3d"] = data.origin["pt3d nonfinite"] = data.origin["diam"]
                self.diam_change(sec, data.diam, interp, loc)
        elif name == "cm":
            data.cm[idx] = value
        elif x in (0.0, 1.0):  # an end node only (the parent's node at 0), as NEURON's node_exact gives
            if self.initialized is None:
                kept_v.note(self, sec.name, int(data.nseg), float(x), value)
            elif self.live.assign_end_v(sec.name, float(x), value):
                self.after_init.append(f"{sec.name}.v({x:g}) = ... at {loc}")
        else:
            for j in (range(data.nseg) if x is None else [data.segment(x)]):
                sec.voltages[j] = value
            if self.initialized is None:
                kept_v.note(self, sec.name, int(data.nseg), x, value)
            self._assigned_after_init(sec, "v", value, x, loc)
            if x is None and self.initialized is not None:  # `sec.v = value` sets its end nodes too (allseg)
                self.live.assign_end_v(sec.name, 0.0, value)
                self.live.assign_end_v(sec.name, 1.0, value)

    def _set_mechanism_value(self, sec: Sec, var: MechanismVariable, value: float, x: float | None, loc,
                             interp) -> None:
        self._check_mech(sec, var, interp, loc)
        data = sec.data
        mech, name = var.mechanism, var.name
        if var.is_ion and mech not in data.mechanisms:
            data.insert(mech)
        if name in self.catalog.get(mech).recomputed:
            # a STATE or a current: NEURON's finitialize() and BREAKPOINT overwrite what HOC sets,
            # so the value is kept for HOC to read back, not given to the model
            kept = sec.preinit.setdefault((mech, name), {})
            for j in (range(data.nseg) if x is None else [data.segment(x)]):
                kept[j] = value
        else:
            data.set_range(mech, name, value, x)
        if self.initialized is not None and (var.is_ion or name in self.catalog.get(mech).recomputed):
            reinsert.check(self, interp, sec, mech, var.hoc_name, loc)
            is_param = name in self.catalog.get(mech).parameters and not (
                var.is_ion and name != f"e{mech[:-4]}")  # e<ion> stays; concentrations are states
            self._assigned_after_init(sec, var.hoc_name, value, x, loc, lost=not is_param)
        elif self.initialized is not None and (name in self.catalog.get(mech).assigned_parameters
                                               or extracellular.carried_e(self, mech, name)
                                               or name not in self.catalog.get(mech).parameters):
            # a PARAMETER its code assigns, or a RANGE ASSIGNED, lives in NEURON's run (reads see the run's value):
            # the run goes on from it; the next finitialize() starts from it too (solver.plan.assigned_starts)
            reinsert.check(self, interp, sec, mech, var.hoc_name, loc)
            self._assigned_after_init(sec, var.hoc_name, value, x, loc, lost=False)

    def _assigned_after_init(self, sec: Sec, name: str, value: float, x, loc, lost: bool = True) -> None:
        """After finitialize(): v, a STATE, an ASSIGNED or an ion variable goes into the live run's state, as
        NEURON's next step starts from it; one a run simulated again from finitialize() would lose is noted
        (`stdrun.check_run_start`, used by `bridge validate`)."""
        if self.initialized is None:
            return
        for j in (range(sec.data.nseg) if x is None else [sec.data.segment(x)]):
            try:
                self.live.assign(sec.name, j, name, value)
            except BridgeError as err:
                raise HocError(str(err)) from None
        if lost:
            self.after_init.append(f"{sec.name}.{name} = ... at {loc}")

    def length_change(self, sec: Sec, length: float) -> None:
        """NEURON's nrn_length_change: 3-D points stretched from the first point, arcs scaled."""
        f = np.float32
        fac = length / sec.arc[-1]
        x0, y0, z0 = (float(v) for v in sec.points[0][:3])
        sec.points = [(float(f(x0 + (px - x0) * fac)), float(f(y0 + (py - y0) * fac)),
                       float(f(z0 + (pz - z0) * fac)), d) for px, py, pz, d in sec.points]
        sec.arc = [a * fac for a in sec.arc]
        sec.pt3d_changed()

    def diam_change(self, sec: Sec, diams: np.ndarray, interp, loc) -> None:
        """NEURON's nrn_diam_change: every 3-D point takes the (node) diameter of its segment."""
        if sec.data.child_end == 1.0:
            raise interp.error(f"setting diam of {sec.name} (3-D points, connected by its 1 end) "
                               "is not supported", loc)
        length = sec.arc[-1]
        pts = []
        for p, a in zip(sec.points, sec.arc):
            j = sec.data.segment(min(a / length, 1.0))
            pts.append((p[0], p[1], p[2], float(np.float32(diams[j]))))
        sec.points = pts
        sec.pt3d_changed()

    def taper(self, sec: Sec, var: RangeVar, x1, x2, y1, y2, loc, interp) -> None:
        """`name(x1:x2) = y1:y2`: a linear ramp over the segments from x1's to x2's, as NEURON's
        cabcode.cpp range_interpolate: y = y1*(1 - θ) + y2*θ with θ = (x - x1)/(x2 - x1) at the centre x,
        for the centres with -1e-9 <= θ <= 1 + 1e-9."""
        if isinstance(var, SectionProperty):
            raise interp.error(f"{var.name} is a section property, not a range variable", loc)
        dx = x2 - x1
        if not dx >= 1e-10:
            raise interp.error(f"range variable notation r(x1:x2) requires x1 < x2, not {x1:g}:{x2:g}", loc)
        if not (0 <= x1 <= 1 and 0 <= x2 <= 1):
            raise interp.error("range variable domain is 0<=x<=1", loc)
        nseg = sec.data.nseg
        first, last = (min(int(nseg * x), nseg - 1) for x in (x1, x2))  # cabcode.cpp node_index
        for j in range(first, last + 1):
            xc = (j + 0.5) / nseg
            theta = (xc - x1) / dx
            if -1e-9 <= theta <= 1.0 + 1e-9:
                self.set_range(sec, var, y1 * (1.0 - theta) + y2 * theta, xc, loc, interp)

    # -- results -------------------------------------------------------------------------
    def record(self, ref, label: str, loc, interp) -> None:
        """`vec.record(&target)`: a `Recording` of what the reference points at (`Ref.what`)."""
        what = ref.what
        if what is None and isinstance(ref, ElemRef) and isinstance(ref.var, NumVar):
            raise interp.refuse("recording a HOC variable (&var) here is not supported: bridge records a HOC "
                                "variable only with Vector.record(&var) (bridge.hoc.hoc_records)", loc)
        if what is None:
            raise interp.error("Vector.record needs &section.variable(x), &pointprocess.variable or &t", loc)
        if isinstance(what, GlobalVar):
            self.recordings.append(Recording(what.name, None, 0.5, label))
            return
        if isinstance(what, PointProcessTarget):
            obj, name = what.obj, what.name
            if obj.pp is None:
                raise interp.error(f"Vector.record(&{obj}.{name}): {obj} has no location", loc)
            self.recordings.append(Recording(name, obj.pp.section, obj.pp.x, label, point_process=str(obj)))
            return
        assert isinstance(what, RangeTarget)
        var = what.var
        name = var.hoc_name if isinstance(var, MechanismVariable) else var.name
        self.recordings.append(Recording(name, what.sec.name, float(what.x), label))
