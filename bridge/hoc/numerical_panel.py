"""NEURON's NumericalMethodPanel (lib/hoc/varmeth1.hoc) as a session file's VariableTimeStep block uses it:

    {ocbox_ = NumericalMethodPanel[0]}
    {object_push(ocbox_)}
    {atol_ = 0.001  CVode[0].atol(atol_)
     restore(1, 1)
     atoltool_ = new AtolTool()  ats("v", 10) ...}
    {object_pop()}

`restore(code, order)` sets the integration method the session saved: code's hundreds digit is the method
(0 fixed step, 1 and 2 second order, 3 CVODE, 4 IDA), its thousands digit local steps, its units digit the
model type (varmeth1.hoc `refresh1`, `isfixed`, `iscn`, `iscvode`, `islocal`, `isdaspk`). `ats(name, scale)`
sets a CVODE atolscale, which the fixed step does not read.
"""

from __future__ import annotations

from bridge.hoc.arguments import number_arg
from bridge.hoc.values import Builtin, HocObject, Template


def panel(interp, loc) -> HocObject:
    """The names a pushed NumericalMethodPanel gives its session-file block (`restore`, `ats`)."""
    template = Template("NumericalMethodPanel", [], loc)
    template.made_by_class = True
    obj = template.make_object()
    obj.ns["restore"] = Builtin("restore", _restore)
    obj.ns["ats"] = Builtin("ats", lambda interp, args, loc: 0.0)
    return obj


def _restore(interp, args, loc):
    from bridge.hoc.stdrun import functions  # stdrun's cvode_active/cvode_local (dt kept as varmeth1.hoc sdt)

    code = int(number_arg(interp, args, 0, loc, "restore"))
    number_arg(interp, args, 1, loc, "restore")  # cvode.condition_order: CVODE only
    kind, method, local = code % 10, code // 100 % 10, code // 1000 % 10
    model = interp.model
    if kind == 2 and method == 2:  # refresh1: a DAE cannot use Crank-Nicolson
        model.set_global("secondorder", 0.0)
        method = 0
    if local == 1 and kind != 2:
        functions()["cvode_local"](interp, [1.0], loc)
    elif method == 3 and kind != 2 or method == 4:
        functions()["cvode_active"](interp, [1.0], loc)
    elif method == 0 or (method == 2 and kind != 2):  # isfixed / iscn: cvode.active(0), dt as it is
        model.set_global("secondorder", 0.0 if method == 0 else 2.0)
        model.cvode_flags.update(active=0.0, use_daspk=0.0)
    return 0.0
