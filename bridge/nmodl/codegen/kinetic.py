"""KINETIC blocks: reaction schemes as the rows of one backward-Euler Newton step, as nocmodl writes them.

nocmodl (kinetic.cpp) turns a KINETIC block into a function that fills the
right-hand side and matrix of one Newton step of backward Euler; scopmath's
`sparse_thread` iterates it. bridge generates `_scheme_<name>(s, x, x_old)`,
which returns the right-hand side rows (`l['_rhs_<state>']`):

- every STATE row starts as `-(1/dt)*(x - x_old)`, times its COMPARTMENT volume;
- `~ A + B <-> C (kf, kb)`: `f_flux = kf*B*A`, `b_flux = kb*C` (reactants
  multiplied in nocmodl's order), rows of A and B get `-(f_flux - b_flux)`,
  C's `+(f_flux - b_flux)`; `~ A << (flux)` adds the flux to A's row;
- `CONSERVE A + B = total` replaces the row of its last STATE not yet used (the statements taken
  last first, as nocmodl numbers them) by `total - sum(coef*volume*state)`;
- the rows (and the STATEs) are in nocmodl's numbering (`bridge.nmodl.codegen.kinetic_order`), which
  decides scopmath's pivot order.

`_advance_<name>(s)` and `_steady_<name>(s)` run it (`sparse.sparse` and
`sparse.steadystate` of `bridge.nmodl.runtime.sparse`, which build the matrix).
"""

from __future__ import annotations

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen.context import BlockForms, Context
from bridge.nmodl.codegen.emitter import Emitter
from bridge.nmodl.codegen.expressions import element, expr, name_ref
from bridge.nmodl.codegen.kinetic_order import numbering
from bridge.nmodl.codegen.names import helper_name
from bridge.nmodl.codegen.pytext import docstring, number, string
from bridge.nmodl.codegen.statements import flush, statements
from bridge.nmodl.syntax import ast


def scheme_states(block: ast.KineticBlock, info: MechanismInfo) -> tuple[tuple[str, ...], dict[int, str]]:
    """(the STATEs the scheme solves for, in nocmodl's numbering (`bridge.nmodl.codegen.kinetic_order`;
    array STATEs as "ca[0]", "ca[1]", ...), the STATE whose row each CONSERVE replaces by its index in the body)."""
    used = {node.name for node in ast.walk(block) if isinstance(node, ast.Reactant)}
    if block.solvefor:
        used &= set(block.solvefor)
    used &= {d.name for d in info.program.states}
    order, rows = numbering(block, used, info)
    out: list[str] = []
    for name in order:
        size = info.variables[name].size if name in info.variables else None
        out += [f"{name}[{i}]" for i in range(size)] if size else [name]
    return tuple(out), rows


def is_linear(block: ast.KineticBlock, states: tuple[str, ...]) -> bool:
    """nocmodl's test: every reaction side has at most one STATE, with coefficient 1."""
    bases = {_base(k) for k in states}
    for node in ast.walk(block):
        if isinstance(node, ast.Reaction):
            for side in (node.lhs, node.rhs):
                if sum(r.coefficient for r in side if r.name in bases) > 1:
                    return False
    return True


def kinetic_def(block: ast.KineticBlock, info: MechanismInfo, em: Emitter, *, advance: bool, steady: bool) -> None:
    """Emit the scheme function, and `_advance_<name>` (a BREAKPOINT SOLVE) and `_steady_<name>`
    (SOLVE ... STEADYSTATE) where asked."""
    states, conserve_rows = scheme_states(block, info)
    if not states:
        raise UnsupportedFeature(f"KINETIC {block.name} without reactions on STATEs", info.where(block), info.source)
    limit = em.limits.max_kinetic_states
    if len(states) > limit:  # the Newton matrix is built by len(states) passes over the scheme
        raise BridgeError(f"KINETIC {block.name} has {len(states)} STATEs, more than Limits.max_kinetic_states = "
                          f"{limit}; {em.limits.raise_hint('max_kinetic_states')}", info.where(block), info.source)
    scheme = helper_name("scheme", block.name)
    em.line(f"def {scheme}(s, x, x_old):", block)
    em.indent()
    em.line(f'"""KINETIC {docstring(block.name)}: backward-Euler rows of its STATEs at x (NEURON\'s _RHS)."""')
    em.line("l = {'f_flux': 0.0, 'b_flux': 0.0}")
    em.line("dt1 = 1.0 / s['dt']")
    em.line(f"for k in {states!r}:")
    em.line("    l['_rhs_' + k] = -dt1 * (x[k] - x_old[k])")
    form = _Scheme(states)
    ctx = Context(info, em.module, "kinetic", {"f_flux", "b_flux"}, forms=BlockForms(reaction=form.reaction))
    volumes = _compartments(block, info, form, ctx, em)
    statements([st for st in block.body if not isinstance(st, (ast.Compartment, ast.Conserve))], ctx, em)
    for i, node in enumerate(block.body):
        if isinstance(node, ast.Conserve):
            _conserve(node, ctx, em, states, volumes, conserve_rows[i])
    em.line("return s, l")
    em.dedent()
    em.line()
    linear = is_linear(block, states)
    for wanted, kind, run, doc in ((advance, "advance", "sparse", "METHOD sparse: one backward-Euler step of dt"),
                                   (steady, "steady", "steadystate",
                                    "STEADYSTATE sparse (NEURON: backward Euler with dt = 1e9)")):
        if wanted:
            em.line(f"def {helper_name(kind, block.name)}(s):", block)
            em.indent()
            em.line(f'"""SOLVE {docstring(block.name)} {doc}."""')
            em.line(f"return {em.module.runtime('sparse', run)}({scheme}, s, {states!r}, linear={linear!r})")
            em.dedent()
            em.line()


class _Scheme:
    """The reactions of one scheme: which names are its STATEs (array elements as "ca[3]")."""

    def __init__(self, states: tuple[str, ...]):
        self.states = states
        self.bases = {_base(k) for k in states}

    def is_state(self, r: ast.Reactant) -> bool:
        return r.name in self.bases

    def reaction(self, stmt: ast.Reaction, ctx: Context, em: Emitter) -> None:
        """A reaction inside the scheme function (module docstring)."""
        if stmt.op == "<<":
            self._flux(stmt, ctx, em)
            return
        if stmt.op not in ("<->", "->"):
            raise ctx.error(UnsupportedFeature, f"reaction operator {stmt.op}", stmt)
        kf = expr(stmt.forward, ctx)
        kb = expr(stmt.backward, ctx) if stmt.backward is not None else "0.0"
        f_flux, b_flux = self._product(f"({kf})", stmt.lhs, stmt, ctx), self._product(f"({kb})", stmt.rhs, stmt, ctx)
        flush(ctx, em, stmt)
        em.line(f"l['f_flux'] = {f_flux}", stmt)
        em.line(f"l['b_flux'] = {b_flux}")
        for side, sign in ((stmt.lhs, "-"), (stmt.rhs, "+")):
            for r in reversed(side):
                if self.is_state(r):
                    c = "" if r.coefficient == 1 else f"{number(r.coefficient)} * "
                    row = _state_ref(r, ctx, "_rhs_")
                    em.line(f"{row} = {row} {sign} {c}(l['f_flux'] - l['b_flux'])")

    def _flux(self, stmt: ast.Reaction, ctx: Context, em: Emitter) -> None:
        """`~ A << (flux)`: the flux added to A's row."""
        (target,) = stmt.lhs
        if not self.is_state(target):
            raise ctx.error(UnsupportedFeature, f"flux ~ {target.name} << (...) on a non-STATE", stmt)
        flux = expr(stmt.forward, ctx)
        row = _state_ref(target, ctx, "_rhs_")
        flush(ctx, em, stmt)
        em.line("l['f_flux'] = 0.0", stmt)
        em.line(f"l['b_flux'] = {flux}")
        em.line(f"{row} = {row} + l['b_flux']")

    def _product(self, rate: str, side: tuple[ast.Reactant, ...], stmt: ast.Reaction, ctx: Context) -> str:
        terms = [rate]
        for r in reversed(side):  # nocmodl multiplies the reactants last first
            if self.is_state(r):
                ref = _state_ref(r, ctx)
            elif r.index is None:
                ref = name_ref(r.name, ctx, stmt)
            else:
                ref = element(name_ref(r.name, ctx, stmt), expr(r.index, ctx), ctx)
            terms += [ref] * r.coefficient
        return " * ".join(terms)


def _compartments(block: ast.KineticBlock, info: MechanismInfo, form: _Scheme, ctx: Context,
                  em: Emitter) -> dict[str, str]:
    """COMPARTMENT statements: the STATE rows scaled by their volumes; the volume of each scalar STATE."""
    sizes = {n: v.size for n, v in info.variables.items() if v.kind == "state" and v.size}
    volumes: dict[str, str] = {}
    for node in block.body:
        if not isinstance(node, ast.Compartment):
            continue
        if node.index:
            ctx.locals.add(node.index)
        vol = expr(node.volume, ctx)
        for n in dict.fromkeys(node.names):  # a name listed twice is scaled once, as nocmodl does
            if n not in form.bases:
                continue
            if node.index and n not in sizes:
                raise UnsupportedFeature(f"COMPARTMENT {node.index}, ... {{{n}}}: {n} is not an array STATE",
                                         info.where(node), info.source)
            if n in sizes:
                row = f"l[{ctx.runtime('arrays', 'key')}({string('_rhs_' + n)}, _c)]"
                em.line(f"for _c in range({int(sizes[n])}):", node)
                if node.index:
                    em.line(f"    l[{string(node.index)}] = _c")
                em.line(f"    {row} = {row} * ({vol})")
            else:
                volumes[n] = vol
                row = f"l[{string('_rhs_' + n)}]"
                em.line(f"{row} = {row} * ({vol})", node)
    return volumes


def _base(name: str) -> str:
    return name.split("[", 1)[0]


def _state_ref(r: ast.Reactant, ctx: Context, prefix: str = "") -> str:
    """`x['A']`, or `x[arrays.key('ca', i)]` for an array element (rows: prefix '_rhs_', in `l`)."""
    name = string(prefix + r.name)
    scope = "l" if prefix else "x"
    if r.index is None:
        return f"{scope}[{name}]"
    return f"{scope}[{ctx.runtime('arrays', 'key')}({name}, {expr(r.index, ctx)})]"


def _conserve(node: ast.Conserve, ctx: Context, em: Emitter, states: tuple[str, ...], volumes: dict[str, str],
              row: str) -> None:
    terms = [r for r in node.lhs if r.name in states]
    if any(r.index is not None for r in node.lhs):
        raise ctx.error(UnsupportedFeature, "CONSERVE over array STATE elements", node)
    if not terms:
        raise ctx.error(UnsupportedFeature, "CONSERVE without STATEs of this scheme", node)
    total = expr(node.rhs, ctx)
    flush(ctx, em, node)
    ref = f"l[{string('_rhs_' + row)}]"
    em.line(f"{ref} = {total}", node)
    for r in reversed(terms):
        vol = volumes.get(r.name)
        coef = "" if r.coefficient == 1 else f"{number(r.coefficient)} * "
        em.line(f"{ref} = {ref} - {coef}x[{string(r.name)}]{f' * ({vol})' if vol else ''}")
