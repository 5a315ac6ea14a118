"""`StringFunctions.alias(obj, "name", &var)`: a name on an object for a variable (src/ivoc/strfun.cpp
`l_alias`; hoc_oop.cpp looks a member that is not the template's up among the object's aliases).
NEURON's LinearCircuit names its element values and node states this way (`LinearCircuit[0].R1 = 15`,
lib/hoc/lincir/lincir1.hoc setalias). `alias(obj, "name", otherobj)` names an object; `alias(obj)` removes
all of obj's aliases; `alias(obj, "name")` removes one."""

from __future__ import annotations

import weakref

from bridge.hoc.values import FuncRef, Ref, StrVar

_ALIASES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # object -> {name: Ref}


def alias(interp, args, loc) -> float:
    """`sf.alias(obj[, name[, &var | obj]])`."""
    if not args or args[0] is None or isinstance(args[0], (str, StrVar, float, int)):
        raise interp.error("StringFunctions.alias: argument 1 must be an object", loc)
    obj = args[0]
    try:
        table = _ALIASES.setdefault(obj, {})
    except TypeError:
        raise interp.refuse(f"StringFunctions.alias on {obj} is not supported", loc) from None
    if len(args) == 1:
        table.clear()
        return 0.0
    name = args[1].value if isinstance(args[1], StrVar) else args[1]
    if not isinstance(name, str):
        raise interp.error("StringFunctions.alias: argument 2 must be a string", loc)
    if len(args) == 2:
        table.pop(name, None)
        return 0.0
    target = args[2]
    if isinstance(target, Ref):
        table[name] = _fresh(interp, target, loc)
    elif target is None or isinstance(target, (str, StrVar, float, int)):
        raise interp.error("StringFunctions.alias: argument 3 must be &variable or an object", loc)
    else:
        table[name] = FuncRef(lambda: target, _read_only(interp, name, loc))
    return 0.0


def lookup(obj, name: str) -> Ref | None:
    """The alias `obj.name`, or None."""
    try:
        table = _ALIASES.get(obj)
    except TypeError:
        return None
    return None if table is None else table.get(name)


def _fresh(interp, target: Ref, loc) -> Ref:
    """A Vector element is read as the live run has filled its Vector (a LinearMechanism's y)."""
    vector = getattr(target, "vector", None)
    if vector is None:
        return target

    def get():
        vector.check_filled(interp, loc)
        return target.get()

    return FuncRef(get, target.set)


def _read_only(interp, name, loc):
    def fail(value):
        raise interp.error(f"{name} is an alias of an object; it cannot be assigned", loc)
    return fail
