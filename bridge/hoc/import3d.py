"""Import3d from HOC: `Import3d_SWC_read`, `Import3d_GUI(reader, 0).instantiate(obj)`.

The morphology readers and NEURON's naming, validity and pt3d rules are
`bridge.morphology` (swc, import3d); this module does what import3d_gui.hoc's
`instantiate` does with them inside the running HOC session: create the section
arrays (in the object, or at top level for `nil`), append them to the object's
SectionLists (`somatic`, `axonal`, `basal`, `apical`, ..., then `all`), access the
first section (top level), connect, and add the 3-D points.
"""

from __future__ import annotations

import warnings

import numpy as np

from bridge.errors import BridgeError
from bridge.hoc.objects import BuiltinObject, SectionList
from bridge.hoc.values import HocObject, ObjVar, SecVar, StrVar, f32, is_number


class Import3dReader(BuiltinObject):
    """`Import3d_SWC_read()` (and the other readers bridge knows): `.input(file)` reads it."""

    formats = {"Import3d_SWC_read": "swc"}

    def __init__(self, interp, name, args, loc):
        self.cls = name
        super().__init__(interp)
        self.morph = None
        self.quiet = 0.0

    def hoc_ref(self, interp, name, indices, loc):
        from bridge.hoc.interp import FuncRef

        if name == "quiet":
            return FuncRef(lambda: self.quiet, lambda v: setattr(self, "quiet", float(v)))
        return super().hoc_ref(interp, name, indices, loc)

    def m_input(self, interp, args, loc):
        """`.input("cell.swc")`: the file is found as `load_file` finds one, inside the model's read roots."""
        from bridge.hoc.loader import _expand, not_found, read_model_file, resolve_path
        from bridge.morphology.swc import parse_swc

        if not args or not isinstance(args[0], (str, StrVar)):
            raise interp.error(f"{self.cls}.input(\"file\") needs a file name", loc)
        name = args[0].value if isinstance(args[0], StrVar) else args[0]
        call = f'{self.cls}.input("{name}")'
        path = resolve_path(interp, _expand(interp, name, loc), loc, call, "morphology")
        if path is None:
            raise interp.error(not_found(interp, name, loc, f"{self.cls}.input"), loc)
        text = read_model_file(interp, path, loc, call, "morphology")
        try:
            self.morph = parse_swc(text, str(path))
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
        from bridge.morphology import import3d as i3d

        morph = self.reader.morph
        if morph is None:
            raise interp.error("Import3d_GUI.instantiate: the reader has read no file (call .input first)", loc)
        obj = args[0] if args else None
        if obj is not None and not isinstance(obj, HocObject):
            raise interp.error("instantiate(obj): obj must be a cell object or nil", loc)
        model = interp.model
        secs = i3d.check_valid(morph)
        names = i3d.section_names(morph, secs)
        ns = obj.ns if obj is not None else interp.top
        counts: dict[int, int] = {}
        for s in secs:
            counts[s.type] = counts.get(s.type, 0) + 1
        by_name = {}
        lo, hi = (min(morph.types), max(morph.types)) if morph.types else (0, -1)
        for t in range(lo, hi + 1):
            arr = i3d.type_name(t)
            if counts.get(t, 0) > 0:
                model.create(interp, arr, (counts[t],), ns, obj, loc)
                for k, sec in enumerate(ns[arr].data):
                    by_name[f"{arr}[{k}]"] = sec
            if obj is not None:
                self._append(interp, obj, i3d.subset_name(t), arr, loc)
        if obj is not None:
            self._append(interp, obj, "all", None, loc)
        first = True
        for name, s in zip(names, secs):
            sec = by_name[name]
            if first and obj is None:
                model.accessed = sec
            first = False
            if s.parent is not None:  # check_valid's parent indexes the valid sections
                parent = by_name[names[s.parent]]
                model.tree.connect(sec.name, parent.name, float("%g" % s.parentx), 0.0)
            if s.first == 1:
                sec.data.logical_connection = tuple(f32(float("%.8g" % v)) for v in s.xyz[0])
            for row in i3d.section_points(s, morph.filename):
                sec.points.append(tuple(f32(v) for v in row))
            sec.modified(0)
        return 0.0

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
    out = {name: (lambda n: lambda interp, args, loc: Import3dReader(interp, n, args, loc))(name)
           for name in Import3dReader.formats}
    out["Import3d_GUI"] = Import3dGUI
    for name in ("Import3d_Neurolucida3", "Import3d_MorphML", "Import3d_Eutectic_read", "Import3d_NeuroML"):
        out[name] = (lambda n: lambda interp, args, loc: (_ for _ in ()).throw(
            interp.refuse(f"{n} is not supported yet (bridge reads SWC through Import3d_SWC_read)", loc)))(name)
    return out


__all__ = ["classes", "Import3dReader", "Import3dGUI", "np", "SecVar"]
