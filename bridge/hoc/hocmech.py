"""NEURON's `make_mechanism("suffix", "Template"[, "parameter names"])` (nrniv/hocmech.cpp).

The call makes a density mechanism out of a HOC template: each segment where it is inserted gets an object of
the template, whose public variables are the mechanism's RANGE variables (`qna_hhint(x)`); NEURON calls the
template's `initial()` in finitialize() and its `after_step()` in every step's state update (hocmech.cpp
`initial`, `after_step`: `nrn_state` of the mechanism type, after the NMODL mechanisms'), each with the
section pushed and `$1` the node's x. It has no current.

bridge accepts the call as NEURON checks it (the suffix must be a new name, the class a HOC template) and
records the mechanism, so a model that makes one and never inserts it (ModelDB 9853's default figure) runs.
Inserting it is refused by name: bridge does not run HOC procedures inside its step, nor keep per-segment
template objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.hoc import ast
from bridge.hoc.arguments import string_arg
from bridge.hoc.values import Template

PROCEDURES = ("initial", "after_step")  # the names hocmech.cpp common_register looks up in the template


@dataclass(frozen=True)
class HocMechanism:
    """A mechanism `make_mechanism` made: its suffix, template, the procedures NEURON calls, and where."""

    suffix: str
    template: str
    procedures: tuple[str, ...]
    loc: object


def registry(interp) -> dict[str, HocMechanism]:
    """The session's make_mechanism() mechanisms by suffix."""
    return interp.model.hoc_mechanisms


def make_mechanism(interp, args, loc) -> float:
    """`make_mechanism(suffix, template[, names])`: checked and recorded as hocmech.cpp `make_mechanism` does;
    returns 1."""
    suffix = string_arg(interp, args, 0, loc, "make_mechanism")
    name = string_arg(interp, args, 1, loc, "make_mechanism")
    parameters = string_arg(interp, args, 2, loc, "make_mechanism") if len(args) > 2 else ""
    _check_new(interp, suffix, loc)
    template = interp.templates.get(name)
    if name in interp.classes and not isinstance(template, Template):  # a built-in class is a template too
        template = Template(name, [], loc)
    elif not isinstance(template, Template):
        raise interp.error(f"{name} not a template", loc)
    variables = public_variables(template)
    for i, part in enumerate(parameters.split(" ") if parameters else ()):  # hocmech.cpp make_m
        if i > 0 and not part[:1].isalpha():
            raise interp.error(f"Must be a space separated list of names {parameters}", loc)
        _check_new(interp, f"{part}_{suffix}", loc)
        if part not in variables:
            raise interp.error(f"{part} is not a public variable", loc)
    for var in sorted(variables):
        _check_new(interp, f"{var}_{suffix}", loc)
    defined = {n.name for n in template.body if isinstance(n, ast.FuncDef)}
    procedures = tuple(p for p in PROCEDURES if p in defined)
    registry(interp)[suffix] = HocMechanism(suffix, name, procedures, loc)
    return 1.0


def public_variables(template: Template) -> set[str]:
    """The template's public variables (HOC VARs: declared `double` or assigned in a procedure)."""
    declared = {d.name for n in template.body if isinstance(n, ast.DoubleDecl) for d in n.decls}
    return template.public & (declared | template.scalars)


def _check_new(interp, name: str, loc) -> None:
    """hocmech.cpp `check()`: `name` must not be a name NEURON knows already."""
    from bridge.hoc.names import top_binding

    if name in registry(interp) or name in interp.model.catalog or top_binding(interp, name) is not None:
        raise interp.error(f"{name} already exists", loc)


def refuse_insert(interp, mech: str, loc) -> None:
    """`insert <suffix>` of a make_mechanism() mechanism: refused by name (no-op for other names)."""
    made = registry(interp).get(mech)
    if made is None:
        return
    where = f'make_mechanism("{mech}", "{made.template}") at {made.loc}'
    if made.procedures:
        calls = " and ".join(
            {"initial": "initial() in finitialize()", "after_step": "after_step() in every time step"}[p]
            for p in made.procedures)
        why = (f"NEURON calls the template's {calls} at each of its segments (nrniv/hocmech.cpp); bridge does "
               "not run HOC procedures inside its simulation")
    else:
        why = ("NEURON keeps an object of the class at each of its segments (nrniv/hocmech.cpp); bridge does "
               "not support such per-segment objects")
    raise interp.refuse(f"insert {mech}: a mechanism made from a HOC template by {where}: {why}", loc)
