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

Outside `object_push`, as batch NEURON (no display) runs varmeth1.hoc: the panel's `b1` is the panel itself
until `map()` builds its small window (`buildsmall`: `b1 = new VBox()`), so a session file's VariableTimeStep
block `{ocbox_ = NumericalMethodPanel[0]  ocbox_ = ocbox_.b1  ocbox_.map("VariableTimeStep", x, y, w, h)}`
only builds and maps windows: the method and dt stay as they were (measured with NEURON 9.0.2). `varstep`,
`ode`, `fixed` and `localstep` are what stdrun's `cvode_active`/`cvode_local` call; the panel's other methods
that act (`dae`, `atoltool`, `rescale`, `refresh`) are refused by name.
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


def read(obj, interp, name: str, indices: list, loc):
    """`panel.b1`: the panel itself until map() built its VBox (varmeth1.hoc `init`, `buildsmall`); None for
    any other read (refused by the caller)."""
    if name != "b1" or indices:
        return None
    box = interp.model.numerical_panel_box
    return obj if box is None else box


_ACTS = {"dae": "switches to the DAE solver (IDA)", "atoltool": "runs the AtolTool's analysis run",
         "rescale": "runs the AtolTool's analysis run", "refresh": "returns the integration method's code"}


def _stdrun(interp, name: str, on: float, loc) -> float:
    """stdrun's `cvode_active(on)` / `cvode_local(on)` (bridge.hoc.stdrun, through the session's builtins)."""
    return interp.builtins[name].fn(interp, [on], loc)


def call(obj, interp, name: str, args: list, loc):
    """`panel.name(args)` outside object_push: the value NEURON returns, or None for a display-only call."""
    model = interp.model
    if name == "map":  # varmeth1.hoc map(): buildsmall() and refresh() the first time, then windows only
        if model.numerical_panel_box is None:
            if model.globals["secondorder"] == 2 and model.linear_mechanisms:
                raise interp.refuse("NumericalMethodPanel.map(): its refresh() sets secondorder = 0 when the model "
                                    "is a DAE (varmeth1.hoc refresh1), which bridge does not decide", loc)
            model.numerical_panel_box = type(obj)(interp, "VBox", [], loc)
        return 0.0
    if name in ("varstep", "localstep"):  # what stdrun's cvode_active(on) / cvode_local(on) call
        on = number_arg(interp, args, 0, loc, f"NumericalMethodPanel.{name}")
        if name == "varstep":
            _stdrun(interp, "cvode_active", on, loc)
        else:  # localstep(1): islocal(); any other value: isvar_ = 0 isvar()
            _stdrun(interp, "cvode_local", float(on == 1), loc)
        return 0.0
    if name == "restore":
        return _restore(interp, args, loc)
    if name in ("ode", "fixed"):
        _stdrun(interp, "cvode_active", float(name == "ode"), loc)
        return 0.0
    why = _ACTS.get(name)
    if why is not None:
        raise interp.refuse(f"NumericalMethodPanel.{name}() {why} in NEURON; bridge does not model it", loc)
    return None


def _restore(interp, args, loc):
    code = int(number_arg(interp, args, 0, loc, "restore"))
    number_arg(interp, args, 1, loc, "restore")  # cvode.condition_order: CVODE only
    kind, method, local = code % 10, code // 100 % 10, code // 1000 % 10
    model = interp.model
    if kind == 2 and method == 2:  # refresh1: a DAE cannot use Crank-Nicolson
        model.set_global("secondorder", 0.0)
        method = 0
    if local == 1 and kind != 2:
        _stdrun(interp, "cvode_local", 1.0, loc)
    elif method == 3 and kind != 2 or method == 4:
        _stdrun(interp, "cvode_active", 1.0, loc)
    elif method == 0 or (method == 2 and kind != 2):  # isfixed / iscn: cvode.active(0), dt as it is
        model.set_global("secondorder", 0.0 if method == 0 else 2.0)
        model.cvode_flags.update(active=0.0, use_daspk=0.0)
    return 0.0
