"""HOC's built-in equation solver: `eqinit()`, `depvar a, b`, `eqn a:: lhs = rhs`, `eqn a: = rhs`, `solve()`.

As NEURON 9.0.2's src/oc/nonlin.cpp and the sparse solver of src/sparse (lineq.cpp `matsol`, subrows.cpp
`subrow`, bksub.cpp `bksub`, getelm.cpp `getelm`), step for step so that the result has the same bits:

- `depvar` numbers top-level scalar variables 1, 2, ... (`hoc_dep_make`); `eqinit([delta])` forgets them
  and sets the finite-difference step (default 0.001, kept between calls);
- `eqn x: ...` picks the row of the dependent variable x (`hoc_eqn_name`); `::` first zeroes the row
  (`hoc_eqn_init`); each side is evaluated (f0), then each dependent variable it read, in the reverse order
  of first reading, is moved by +delta, the side evaluated again (f1) and moved back by -delta, adding
  (f1 - f0) / delta to the row's coefficient (`eqn_side`; the right side with its sign changed), and
  -f0 to the row's right-hand side;
- `solve()` runs one Newton step: Gaussian elimination in row order with NEURON's pivot choice and
  element order, back substitution, each variable += its step; it returns the sum of |rhs| before and
  after (`hoc_solve`).

Refused: array dependent variables, a side that calls a procedure or function of the model's (it could read
a dependent variable bridge does not see), a row or system used before NEURON gives it values (NEURON would
read uninitialized memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.hoc import ast
from bridge.hoc.names import lookup
from bridge.hoc.values import NumVar

# built-in functions a side may call: they read no HOC variable
_PURE_CALLS = frozenset({"sin", "cos", "atan", "atan2", "exp", "log", "log10", "sqrt", "abs", "erf", "erfc",
                         "tanh", "int"})


@dataclass
class _Elm:
    row: int
    col: int
    value: float = 0.0


@dataclass
class Equations:
    """One interpreter's solver state (NEURON's statics of nonlin.cpp and lineq.cpp)."""

    delta: float = 0.001  # nonlin.cpp `Delta`
    dep: list[NumVar] = field(default_factory=list)  # dependent variable i+1
    maxeqn: int = 0
    varble: list[NumVar] = field(default_factory=list)  # bound when the space was made (`set_varble`)
    rows: dict[int, list[_Elm]] = field(default_factory=dict)  # elements of a row, by column
    cols: dict[int, list[_Elm]] = field(default_factory=dict)  # elements of a column, newest first
    rhs: list[float | None] = field(default_factory=lambda: [None])  # None: never set (malloc'ed)
    eqord: list[int] = field(default_factory=lambda: [0])
    varord: list[int] = field(default_factory=lambda: [0])

    def space(self) -> None:
        """`eqn_space` and `set_varble`: a fresh matrix for the dependent variables now declared."""
        self.maxeqn = len(self.dep)
        self.varble = [NumVar()] + list(self.dep)
        self.rows, self.cols = {}, {}
        self.rhs = [None] * (self.maxeqn + 1)
        self.eqord = list(range(self.maxeqn + 1))
        self.varord = list(range(self.maxeqn + 1))

    def varn(self, var) -> int:
        for i, v in enumerate(self.dep):
            if v is var:
                return i + 1
        return 0

    def getelm(self, row: int, col: int) -> _Elm:
        """The (row, col) element, made (0.0, first in its column) when missing."""
        elms = self.rows.setdefault(row, [])
        k = 0
        while k < len(elms) and elms[k].col < col:
            k += 1
        if k < len(elms) and elms[k].col == col:
            return elms[k]
        el = _Elm(row, col)
        elms.insert(k, el)
        self.cols.setdefault(col, []).insert(0, el)
        return el

    def remelm(self, el: _Elm) -> None:
        self.rows[el.row].remove(el)
        self._uncolumn(el)

    def _uncolumn(self, el: _Elm) -> None:
        col = self.cols.get(el.col, [])
        for k, other in enumerate(col):
            if other is el:
                del col[k]
                return

    def subrow(self, pivot: _Elm, rowsub: _Elm) -> None:
        r = rowsub.value / pivot.value
        rhs = self.rhs
        rhs[rowsub.row] -= rhs[pivot.row] * r  # type: ignore[operator]
        for el in list(self.rows[pivot.row]):
            if el is not pivot:
                self.getelm(rowsub.row, el.col).value -= el.value * r

    def matsol(self, n: int) -> bool:
        """lineq.cpp `matsol`: upper triangularization with NEURON's pivots, then `bksub`."""
        for i in range(1, n + 1):
            pivot: _Elm | None = self.getelm(self.eqord[i], self.varord[i])
            if abs(pivot.value) <= 0.0:
                self.remelm(pivot)
                big, pivot = 0.0, None
                for el in self.rows.get(self.eqord[i], []):
                    if abs(el.value) > big:
                        big, pivot = abs(el.value), el
                if pivot is None:
                    return False
                j = next(j for j in range(i, n + 1) if self.varord[j] == pivot.col)
                self.varord[j] = self.varord[i]
                self.varord[i] = pivot.col
            for el in list(self.cols.get(pivot.col, [])):
                if el is not pivot:
                    self.subrow(pivot, el)
                    self.remelm(el)
            for el in self.rows[pivot.row]:
                self._uncolumn(el)
        rhs = self.rhs
        for i in range(n, 0, -1):  # bksub.cpp: rhs indexed by the element's column, as NEURON does
            found = None
            for el in self.rows.get(self.eqord[i], []):
                if el.col == self.varord[i]:
                    found = el
                else:
                    rhs[el.row] -= el.value * rhs[el.col]  # type: ignore[operator]
            rhs[self.eqord[i]] /= found.value  # type: ignore[operator,union-attr]
        return True


def state(interp) -> Equations:
    st = getattr(interp, "equations", None)
    if st is None:
        st = interp.equations = Equations()
    return st


def eqinit(interp, args, loc):
    """`eqinit([delta])`: no dependent variables; 0."""
    st = state(interp)
    if args:
        st.delta = float(args[0])
    st.dep = []
    st.space()
    return 0.0


def solve(interp, args, loc):
    """`solve()`: one Newton step of the equations given (`hoc_solve`); the sum of |rhs| before and after."""
    st = state(interp)
    n = len(st.dep)
    if n != st.maxeqn or any(st.rhs[i] is None for i in range(1, n + 1)):
        raise interp.refuse("solve(): an equation of a dependent variable was not given since depvar "
                            "(NEURON would solve with uninitialized values)", loc)
    total = sum(abs(st.rhs[i]) for i in range(1, n + 1))  # type: ignore[arg-type]
    if not st.matsol(n):
        raise interp.error("indeterminate system", loc)
    for i in range(1, n + 1):
        var = st.varble[st.varord[i]]
        var.data[0] = float(var.data[0]) + st.rhs[st.eqord[i]]  # type: ignore[operator]
        total += abs(st.rhs[i])  # type: ignore[arg-type]
    st.rows, st.cols = {}, {}
    return total


def functions() -> dict:
    return {"eqinit": eqinit, "solve": solve}


def exec_depvar(interp, n: ast.DepVar) -> None:
    st = state(interp)
    if interp.frame.obj is not None:
        raise interp.refuse("depvar inside a template is not supported", n.loc)
    for name in n.names:
        if name in interp.frame.locals:
            raise interp.error(f"{name} can't be a dependent variable", n.loc)
        var = interp.top.get(name)
        if var is None and lookup(interp, name) is None:
            var = interp.top[name] = NumVar()  # parse.ypp `dep_list`: hoc_obvar_declare
        if not isinstance(var, NumVar):
            raise interp.error(f"{name} can't be a dependent variable", n.loc)
        if var.dims:
            raise interp.refuse(f"depvar {name}: an array as a dependent variable is not supported", n.loc)
        if st.varn(var):
            raise interp.error(f"{name} made dependent twice", n.loc)
        st.dep.append(var)


def _reads(interp, st: Equations, node: ast.Node, out: list[int]) -> None:
    """The dependent variables `node` reads, in the order HOC's stack machine first reads them."""
    if isinstance(node, (ast.Num, ast.Str, ast.Arg)):
        return
    if isinstance(node, ast.Name):
        k = st.varn(lookup(interp, node.name))
        if k and k not in out:
            out.append(k)
        return
    if isinstance(node, ast.Unary):
        _reads(interp, st, node.operand, out)
        return
    if isinstance(node, ast.Binary):
        _reads(interp, st, node.left, out)
        _reads(interp, st, node.right, out)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.name in _PURE_CALLS:
        for arg in node.args:
            _reads(interp, st, arg, out)
        return
    raise interp.refuse(f"eqn: this expression ({type(node).__name__}) in an equation is not supported "
                        "(only numbers, variables, operators and math functions)", node.loc)


def _side(interp, st: Equations, row: int, expr: ast.Node, lhs: bool) -> None:
    """nonlin.cpp `eqn_side`."""
    order: list[int] = []
    _reads(interp, st, expr, order)
    sign = 1.0 if lhs else -1.0
    f0 = interp.number(expr)
    f0 = f0 if lhs else -f0
    st.rhs[row] -= f0  # type: ignore[operator]
    for k in reversed(order):  # hoc_access: a list, last read first
        var = st.varble[k]
        var.data[0] = float(var.data[0]) + st.delta
        f1 = interp.number(expr)
        var.data[0] = float(var.data[0]) - st.delta
        f1 = f1 if sign > 0 else -f1
        st.getelm(row, k).value += (f1 - f0) / st.delta


def _split(node):
    """`lhs = rhs` as HOC's parser reads it in an equation (any `=` is the equation's, parse.ypp `equation`):
    bridge's grammar reads `a*b + c = d` as `a*b + (c = d)`; the assignment on the right edge is the split,
    its target put back in its place gives the left side."""
    if isinstance(node, ast.Assign):
        return (node.target, node.value) if node.op == "=" else (None, None)
    if isinstance(node, ast.Binary):
        left, rhs = _split(node.right)
        return (None if left is None else ast.Binary(node.loc, node.op, node.left, left)), rhs
    if isinstance(node, ast.Unary):
        left, rhs = _split(node.operand)
        return (None if left is None else ast.Unary(node.loc, node.op, left)), rhs
    return None, None


def exec_equation(interp, n: ast.Equation) -> None:
    st = state(interp)
    if st.maxeqn != len(st.dep):
        st.space()
    row = st.varn(lookup(interp, n.name))
    if not row:
        raise interp.error(f"illegal equation name {n.name}", n.loc)
    if n.init:
        for el in st.rows.get(row, []):
            el.value = 0.0
        st.rhs[row] = 0.0
    elif st.rhs[row] is None:
        raise interp.refuse(f"eqn {n.name}: = ... before the row was started with `eqn {n.name}::` "
                            "(NEURON would add to uninitialized values)", n.loc)
    if n.init:
        lhs, rhs = _split(n.assign)
        if lhs is None or rhs is None:
            raise interp.error(f"eqn {n.name}:: needs `expression = expression`", n.loc)
        _side(interp, st, row, lhs, True)
        _side(interp, st, row, rhs, False)
    else:
        if n.rhs is None:
            raise interp.error(f"eqn {n.name}: needs `= expression`", n.loc)
        _side(interp, st, row, n.rhs, False)


EXECUTORS = {ast.DepVar: exec_depvar, ast.Equation: exec_equation}
