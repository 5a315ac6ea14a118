"""Names NEURON registers before any HOC runs, which bridge must resolve or refuse, never take for new variables.

In NEURON, `name = 5` for a name no declaration made creates a new HOC variable only when NEURON's symbol
table does not hold `name` already. NEURON installs a symbol for each built-in variable (init.cpp
`hoc_last_init`, hoc_init.cpp), each variable of each compiled mechanism (`<var>_<suffix>` for a density
mechanism, the GLOBALs `<var>_<name>` of a point process: nocmodl's `hoc_scdoub` and `hoc_register_var`) and
each ion (eion.cpp `ion_reg`: `e<ion>`, `<ion>i`, `<ion>o`, `i<ion>`, `di<ion>_dv_`, `<ion>i0_<ion>_ion`,
`<ion>o0_<ion>_ion`). A name bridge does not resolve (`bridge.hoc.names.lookup`) but NEURON holds would
become a plain variable in bridge, and the run would use the mechanism's default instead of HOC's value: a
wrong number (ModelDB 121060 set `Cao0_Ca_ion`, and ran with Cao = 1 mM). `why_registered` says which such
name it is, so that bridge refuses it; any other name stays a plain HOC variable, as in NEURON.
"""

from __future__ import annotations

import re

# NEURON 9.0.2's built-in scalar variables and range variables (`dir(h)` with no mechanism compiled; the ones
# that are variables). tests/hoc/test_registered_names.py checks this list against the installed NEURON.
NEURON_SCALARS = frozenset({
    "Avogadro_constant", "DEG", "E", "FARADAY", "GAMMA", "PHI", "PI", "R", "celsius", "clamp_resist",
    "default_dll_loaded_", "diam_changed", "dt", "eps_IntFire4", "float_epsilon", "hoc_ac_", "hoc_cross_x_",
    "hoc_cross_y_", "ib_IntFire4", "ki0_k_ion", "ko0_k_ion", "nai0_na_ion", "nao0_na_ion",
    "nrn_netrec_state_adjust", "nrn_shape_changed_", "nrn_sparse_partrans", "secondorder", "stoprun", "t",
    "taueps_IntFire4", "usetable_hh", "xopen_broadcast_",
})
NEURON_RANGE = frozenset({
    "cm", "diam", "dik_dv_", "dina_dv_", "e_extracellular", "e_fastpas", "e_pas", "ek", "el_hh", "ena",
    "g_fastpas", "g_pas", "gk_hh", "gkbar_hh", "gl_hh", "gna_hh", "gnabar_hh", "h_hh", "hinf_hh", "htau_hh",
    "i_cap", "i_membrane", "i_membrane_", "i_pas", "ik", "il_hh", "ina", "ki", "ko", "m_hh", "minf_hh",
    "mtau_hh", "n_hh", "nai", "nao", "ninf_hh", "ntau_hh", "sav_g", "sav_rhs", "v", "vext", "xc", "xg",
    "xraxial",
})

_ION_GLOBAL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)([io])0_\1_ion")
_ION_DERIVATIVE = re.compile(r"di([A-Za-z_][A-Za-z0-9_]*)_dv_")


def why_registered(catalog, name: str) -> str | None:
    """What NEURON's symbol table holds under `name` (a name bridge did not resolve), or None when NEURON too
    would make it a new HOC variable."""
    if name in NEURON_SCALARS:
        return f"{name} is a built-in variable of NEURON, which bridge does not implement"
    if name in NEURON_RANGE:
        return f"{name} is a built-in range variable of NEURON, which bridge does not implement"
    found = _mechanism_variable(catalog, name)
    if found is not None:
        return found
    return _ion_variable(catalog, name)


def _mechanism_variable(catalog, name: str) -> str | None:
    """`<var>_<suffix>` of a mechanism of the model (or bridge's copy of a NEURON one) that declares var."""
    for suffix in catalog.names():
        if not (name.endswith("_" + suffix) and len(name) > len(suffix) + 1) or suffix.endswith("_ion"):
            continue
        var = name[: -len(suffix) - 1]
        info = catalog.get(suffix)  # a file bridge cannot translate is refused here, as names.lookup refuses it
        if var in _registered(info) or (var == "usetable" and name in info.globals):
            kind = "a range variable" if info.kind == "density" and var in info.range_names else "a GLOBAL"
            return (f"{name} is {kind} of mechanism {suffix} ({info.path}) in NEURON ({var}); bridge does not "
                    "apply a value HOC gives it")
    return None


def _registered(info) -> set[str]:
    """The variables of mechanism `info` NEURON registers as `<var>_<suffix>`: every PARAMETER, ASSIGNED,
    STATE and POINTER, and the FUNCTIONs and PROCEDUREs, of a density mechanism; the GLOBALs of a point
    process (its RANGE names are the object's)."""
    assigned_globals = info.calls.assigned_globals if info.calls is not None else frozenset()
    names = set(info.globals) | set(assigned_globals)
    if info.kind == "density":
        names |= set(info.parameters) | set(info.range_names) | set(info.pointers) | set(info.functions)
    return names


def _ion_variable(catalog, name: str) -> str | None:
    """An ion's global or range variable of an ion some mechanism of the model uses (every file read first:
    NEURON registers every ion of every compiled mechanism, eion.cpp `ion_reg`)."""
    from bridge.hoc.catalog import ion_candidates

    m = _ION_GLOBAL.fullmatch(name)
    candidates = [m.group(1)] if m else []
    m2 = _ION_DERIVATIVE.fullmatch(name)
    candidates += [m2.group(1)] if m2 else []
    candidates += ion_candidates(name)
    if not candidates:
        return None
    ions = catalog.all_ions()
    for ion in candidates:
        if ion in ions:
            return f"{name} is a variable of NEURON's ion {ion} ({ion}_ion), which bridge does not apply here"
    return None


__all__ = ["NEURON_RANGE", "NEURON_SCALARS", "why_registered"]
