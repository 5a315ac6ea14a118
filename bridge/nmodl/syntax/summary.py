"""One-line and dictionary summaries of a parsed `.mod` file (for `bridge parse` / `bridge demo`)."""

from __future__ import annotations

from bridge.nmodl.syntax import ast

_BLOCK_WORDS = {
    ast.InitialBlock: "INITIAL",
    ast.BreakpointBlock: "BREAKPOINT",
    ast.DerivativeBlock: "DERIVATIVE",
    ast.KineticBlock: "KINETIC",
    ast.LinearBlock: "LINEAR",
    ast.NonLinearBlock: "NONLINEAR",
    ast.DiscreteBlock: "DISCRETE",
    ast.ProcedureBlock: "PROCEDURE",
    ast.FunctionBlock: "FUNCTION",
    ast.FunctionTableBlock: "FUNCTION_TABLE",
    ast.NetReceiveBlock: "NET_RECEIVE",
    ast.BeforeAfterBlock: "BEFORE/AFTER",
    ast.ConstructorBlock: "CONSTRUCTOR",
    ast.DestructorBlock: "DESTRUCTOR",
}


def block_names(program: ast.Program) -> list[str]:
    """The code blocks of `program` as written: `INITIAL`, `DERIVATIVE states`, `FUNCTION vtrap`."""
    out = []
    for item in program.items:
        word = _BLOCK_WORDS.get(type(item))
        if word is None:
            continue
        if isinstance(item, ast.BeforeAfterBlock):
            out.append(f"{item.when} {item.point}")
        else:
            name = getattr(item, "name", None)
            out.append(f"{word} {name}" if name else word)
    return out


def summary(program: ast.Program) -> dict:
    """Name, kind, ions (with READ/WRITE), states and blocks of a mechanism, as plain data."""
    nrn = program.neuron
    return {
        "file": program.filename,
        "name": nrn.name,
        "kind": nrn.kind,
        "ions": [{"ion": i.ion, "read": list(i.read), "write": list(i.write), "valence": i.valence} for i in nrn.ions],
        "nonspecific_currents": list(nrn.nonspecific_currents),
        "states": [d.name for d in program.states],
        "parameters": [d.name for d in program.parameters],
        "blocks": block_names(program),
    }


def summary_line(program: ast.Program) -> str:
    """`hh (SUFFIX): ions na[READ ena WRITE ina] k[...]; states m h n; blocks BREAKPOINT, ...`."""
    s = summary(program)
    ions = " ".join(
        f"{i['ion']}[" + " ".join(filter(None, [
            ("READ " + ",".join(i["read"])) if i["read"] else "",
            ("WRITE " + ",".join(i["write"])) if i["write"] else "",
        ])) + "]"
        for i in s["ions"]
    ) or "none"
    states = " ".join(s["states"]) or "none"
    return f"{s['name']} ({s['kind']}): ions {ions}; states {states}; blocks {', '.join(s['blocks'])}"
