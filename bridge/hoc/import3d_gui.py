"""Import3d from HOC, as NEURON's import3d_gui.hoc does it: `Import3d_SWC_read` or
`Import3d_Neurolucida3`, `Import3d_GUI(reader, 0).instantiate(obj)`.

The morphology readers and NEURON's naming, validity and pt3d rules are
`bridge.morphology` (swc, import3d); this module does what import3d_gui.hoc's
`instantiate` does with them inside the running HOC session: create the section
arrays (in the object, or at top level for `nil`), append them to the object's
SectionLists (`somatic`, `axonal`, `basal`, `apical`, ..., then `all`), access the
first section (top level), connect, and add the 3-D points.
"""

from __future__ import annotations

import warnings

from bridge.errors import BridgeError
from bridge.hoc.lists import SectionList
from bridge.hoc.loader import _expand, not_found, read_model_file, resolve_path
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import FuncRef, HocObject, ObjVar, StrVar, f32, is_number
from bridge.morphology import import3d as i3d
from bridge.morphology.neurolucida import parse_asc
from bridge.morphology.swc import parse_swc

_PARSERS = {"swc": parse_swc, "asc": parse_asc}


class Import3dReader(BuiltinObject):
    """`Import3d_SWC_read()` (and the other readers bridge knows): `.input(file)` reads it."""

    formats = {"Import3d_SWC_read": "swc", "Import3d_Neurolucida3": "asc"}

    def __init__(self, interp, name, args, loc):
        self.cls = name
        super().__init__(interp)
        self.morph = None
        self.quiet = 0.0

    def hoc_ref(self, interp, name, indices, loc):
        if name == "quiet":
            def set_quiet(v):
                self.quiet = float(v)

            return FuncRef(lambda: self.quiet, set_quiet)
        return super().hoc_ref(interp, name, indices, loc)

    def m_input(self, interp, args, loc):
        """`.input("cell.swc")`: the file is found as `load_file` finds one, inside the model's read roots."""
        if not args or not isinstance(args[0], (str, StrVar)):
            raise interp.error(f"{self.cls}.input(\"file\") needs a file name", loc)
        name = args[0].value if isinstance(args[0], StrVar) else args[0]
        call = f'{self.cls}.input("{name}")'
        path = resolve_path(interp, _expand(interp, name, loc), loc, call, "morphology")
        if path is None:
            raise interp.error(not_found(interp, name, loc, f"{self.cls}.input"), loc)
        text = read_model_file(interp, path, loc, call, "morphology")
        try:
            self.morph = _PARSERS[self.formats[self.cls]](text, str(path))
        except BridgeError as err:
            raise interp.error(f"{self.cls}.input: {err}", loc) from None
        return 0.0


class Import3dGUI(BuiltinObject):
    """`Import3d_GUI(reader, 0)`: only `instantiate(obj or nil)` is supported (no window)."""

    cls = "Import3d_GUI"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        if not args or not isinstance(args[0], Import3dReader):
            raise interp.error("Import3d_GUI(reader, 0) needs an Import3d reader", loc)
        if len(args) > 1 and is_number(args[1]) and float(args[1]) != 0:
            interp.model.gui_calls.setdefault("Import3d_GUI(reader, 1)", loc)
        self.reader = args[0]

    def m_instantiate(self, interp, args, loc):
        morph = self.reader.morph
        if morph is None:
            raise interp.error("Import3d_GUI.instantiate: the reader has read no file (call .input first)", loc)
        obj = args[0] if args else None
        if obj is not None and not isinstance(obj, HocObject):
            raise interp.error("instantiate(obj): obj must be a cell object or nil", loc)
        secs = i3d.check_valid(morph)
        by_name = self._create(interp, morph, secs, obj, loc)
        self._build(interp, morph, secs, by_name, obj)
        return 0.0

    def _create(self, interp, morph, secs, obj: HocObject | None, loc) -> dict:
        """The section arrays (`soma[n]`, `dend[n]`, ...) in `obj` (None: at top level), appended to
        its SectionLists; the sections by name."""
        ns = obj.ns if obj is not None else interp.top
        counts: dict[int, int] = {}
        for s in secs:
            counts[s.type] = counts.get(s.type, 0) + 1
        by_name = {}
        lo, hi = (min(morph.types), max(morph.types)) if morph.types else (0, -1)
        for t in range(lo, hi + 1):
            arr = i3d.type_name(t)
            if counts.get(t, 0) > 0:
                interp.model.create(interp, arr, (counts[t],), ns, obj, loc)
                for k, sec in enumerate(ns[arr].data):
                    by_name[f"{arr}[{k}]"] = sec
            if obj is not None:
                self._append(interp, obj, i3d.subset_name(t), arr, loc)
        if obj is not None:
            self._append(interp, obj, "all", None, loc)
        return by_name

    @staticmethod
    def _build(interp, morph, secs, by_name: dict, obj: HocObject | None) -> None:
        """Connect the sections and give them their 3-D points; at top level the first is accessed."""
        model = interp.model
        names = i3d.section_names(morph, secs)
        for k, (name, s) in enumerate(zip(names, secs)):
            sec = by_name[name]
            if k == 0 and obj is None:
                model.accessed = sec
            if s.parent is not None:  # check_valid's parent indexes the valid sections
                parent = by_name[names[s.parent]]
                model.tree.connect(sec.name, parent.name, float(format(float(s.parentx), "g")), 0.0)
            if s.first == 1:
                sec.data.logical_connection = tuple(f32(float(format(float(v), ".8g"))) for v in s.xyz[0])
            for row in i3d.section_points(s, morph.filename):
                sec.points.append(tuple(f32(v) for v in row))
            sec.modified(0)

    def _append(self, interp, obj: HocObject, listname: str, arr: str | None, loc):
        var = obj.ns.get(listname)
        target = var.data[0] if isinstance(var, ObjVar) else None
        if not isinstance(target, SectionList):
            warnings.warn(f"Import3d instantiate: {obj.hname} has no SectionList {listname}; "
                          f"NEURON's `forsec ... {listname}.append` would fail there", stacklevel=2)
            return
        model = interp.model
        pool = model.object_sections(obj)
        if arr is not None:
            match = model.name_matcher(arr, obj=obj)
            pool = [s for s in pool if match(s.name)]
        target.secs.extend(pool)


def classes() -> dict:
    """The Import3d classes by name (makers for `new Name(args)`)."""
    out = {name: (lambda n: lambda interp, args, loc: Import3dReader(interp, n, args, loc))(name)
           for name in Import3dReader.formats}
    out["Import3d_GUI"] = Import3dGUI
    for name in ("Import3d_MorphML", "Import3d_Eutectic_read", "Import3d_NeuroML"):
        out[name] = _unsupported_reader(name)
    return out


def _unsupported_reader(name: str):
    def make(interp, args, loc):
        raise interp.refuse(f"{name} is not supported yet (bridge reads SWC through Import3d_SWC_read and "
                            "Neurolucida through Import3d_Neurolucida3)", loc)
    return make


__all__ = ["classes", "Import3dReader", "Import3dGUI"]
