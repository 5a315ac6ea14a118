"""The VERBATIM pass: C blocks within a small, safe subset become NMODL statements; any other is refused.

nocmodl pastes VERBATIM text into the C it compiles; bridge runs no C. `bridge.nmodl.syntax.verbatim`
parses the subset (assignments, if/else, `return 0;`, printf, `#include <header.h>`, an rcsid string);
this pass resolves C's names as nocmodl's generated C defines them and replaces each block by the
statements it means (docs/verbatim.md):

- `_lx` is the LOCAL or argument `x` of the enclosing block (a FUNCTION's `_lf`: its value);
- a plain name is the mechanism's own PARAMETER, ASSIGNED, STATE, ion variable or CONSTANT, or NEURON's
  `v`, `t`, `dt`, `celsius` (these four only read);
- `_ion_cai` is the ion's storage (nocmodl's `#define _ion_cai`): a concentration the mechanism's
  USEION reads or writes, as the ion held it when the block began (`ast.IonValue`; the mechanism
  writes its copy back only after the block);
- `return 0;` as the last statement of a PROCEDURE is what nocmodl's C function does anyway;
- `printf` and `fprintf(stderr, ...)` print, which is no number: dropped, with a warning naming file:line;
- `#include <standard header>`, `static const char rcsid[] = "...";` and `;` compile to nothing;
- a `switch` is an IF chain, `Tau[_lj]` the mechanism's array element, `if ((x = e) < c)` the assignment then the
  IF, and `_lj` in `FROM j = ...` the loop's int index.

C code is translated in INITIAL, BREAKPOINT, NET_RECEIVE (not its arguments: nocmodl's `_args[k]`), PROCEDURE
and FUNCTION blocks; at file level only what
compiles to nothing is. Everything else (another block, an early `return`, calls other than C's math
functions, unknown names, a name that is both a LOCAL and a mechanism variable) is an
`UnsupportedFeature` naming the construct, at its line and column.
"""

from __future__ import annotations

import warnings
from dataclasses import fields, replace
from typing import Any

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter, Variable
from bridge.nmodl.analysis.usage import locals_in
from bridge.nmodl.analysis.vocabulary import MATH_ARITY
from bridge.nmodl.syntax import ast
from bridge.nmodl.syntax.cpreproc import CFile
from bridge.nmodl.syntax.verbatim import (
    CAssignExpr,
    CBreak,
    CDecl,
    CFunction,
    CGetArg,
    CNothing,
    COutput,
    CRefused,
    CReturn,
    CReturnValue,
    CSwitch,
    VerbatimOutside,
    parse_verbatim,
)

# C's <math.h> functions whose meaning is the NMODL function of the same name (C's abs is an int function)
C_MATH = {k: n for k, n in MATH_ARITY.items() if k not in ("abs", "exprelr")}
STANDARD_HEADERS = frozenset({"assert.h", "ctype.h", "errno.h", "float.h", "limits.h", "math.h", "stdbool.h",
                              "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h", "time.h"})
_READ_BUILTINS = ("v", "t", "dt", "celsius")
_READ_KINDS = ("parameter", "assigned", "state", "ion", "constant")
_WRITE_KINDS = ("parameter", "assigned", "state", "ion")
_CODE_BLOCKS = (ast.InitialBlock, ast.BreakpointBlock, ast.ProcedureBlock, ast.FunctionBlock, ast.NetReceiveBlock)
# names nocmodl's generated C defines as macros or NEURON's own variables: no C local may take them
_NOT_LOCAL_NAMES = frozenset({"v", "t", "dt", "celsius", "secondorder", "area", "diam", "nil", "pval"}
                             | set("auto bool break case catch char class const continue default delete do else enum "
                                   "explicit extern false float for friend goto inline long mutable namespace new "
                                   "nullptr operator private protected public register return short signed sizeof "
                                   "static struct switch template this throw true try typedef typename union unsigned "
                                   "using virtual void volatile while".split()))  # and C++'s keywords


def translate_verbatim(program: ast.Program, variables: dict[str, Variable], ion_of: dict[str, str],
                       ion_reads: tuple[str, ...], report: Reporter) -> tuple[ast.Program, frozenset[str]]:
    """`program` with every VERBATIM block translated (module docstring), or the first refusal raised; and the
    names of the FUNCTIONs and PROCEDUREs made from file-level C functions (HOC does not see them)."""
    if not any(isinstance(n, ast.Verbatim) for n in ast.walk(program)):
        return program, frozenset()
    items: list[Any] = []
    taken = frozenset({getattr(i, "name", "") for i in program.items} | set(program.defines))
    cfile = file_state(program)
    c_functions: dict[str, CFunction] = {}
    made: list[Any] = []
    pending: list[tuple[ast.Call, bool]] = []
    owner: list[int] = []  # the index in `items` of the block of each pending call
    originals: dict[int, Any] = {}  # index in `items` -> the block before its translation
    refused: dict[str, BridgeError] = {}  # FUNCTIONs/PROCEDUREs whose C bridge cannot run: only HOC calls them
    hoc_args: set[str] = set()  # FUNCTIONs/PROCEDUREs whose C reads HOC's arguments: right only when HOC calls them
    for item in program.items:
        if isinstance(item, ast.Verbatim):
            for c in parse_checked(item, report, cfile=cfile):
                if isinstance(c, CFunction):
                    made.append(_c_function(c, c_functions, variables, taken, cfile, report))
                    c_functions[c.name] = c
                elif not isinstance(c, CNothing):
                    raise report.error(UnsupportedFeature, "VERBATIM C code at file level (bridge translates "
                                       "only #include <standard header>, static const char strings and C functions "
                                       "there)", c)
            continue
        if not any(isinstance(n, ast.Verbatim) for n in ast.walk(item)):
            items.append(item)
            continue
        block = _Block(item, variables, ion_of, ion_reads, report)
        block.taken, block.cfile, block.c_functions, block.pending = taken, cfile, c_functions, pending
        block.hoc_args = hoc_args
        marks = (len(pending), dict(cfile.macros), len(cfile.defined))
        try:
            items.append(block.translated())
            owner += [len(items) - 1] * (len(pending) - len(owner))
            originals[len(items) - 1] = item
        except UnsupportedFeature as err:
            if not isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)) or not deferrable(item):
                raise
            del pending[marks[0]:]
            cfile.macros, cfile.defined[:] = marks[1], cfile.defined[:marks[2]]
            refused[item.name] = err
            hoc_args.discard(item.name)
            items.append(_stub(item, f"{err.location}: {err.message}"))
    for (call, statement), k in zip(pending, owner):
        check = _Block(ast.ProcedureBlock("", (), ()), variables, ion_of, ion_reads, report)
        check.c_functions = c_functions
        try:
            if call.name not in c_functions:
                raise check.error(f"a call of {_short(call.name)}() as a statement (bridge runs C's math functions "
                                  "in expressions only, and the file's C functions)" if statement else
                                  f"a call of {_short(call.name)}() (bridge runs C's math functions only, and the "
                                  "file's C functions)", call)
            check._c_call(call, statement)
        except UnsupportedFeature as err:
            item = items[k]
            if not isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)) or not deferrable(originals[k]):
                raise
            if item.name not in refused:
                refused[item.name] = err
                hoc_args.discard(item.name)
                items[k] = _stub(item, f"{err.location}: {err.message}")
    blocks = {getattr(i, "name", None): i for i in items if isinstance(i, (ast.FunctionBlock, ast.ProcedureBlock))}
    for name in sorted(hoc_args):  # a caller other than HOC: *getarg reads that caller's HOC arguments
        refused[name + "()"] = report.error(UnsupportedFeature, f"VERBATIM block: code calling {_short(name)}(), "
                                            "whose C reads HOC's arguments (*getarg): they are its own only when HOC "
                                            "calls it", blocks.get(name))
    items = _defer_callers(items, refused, hoc_args, report)
    _check_macros(program, variables, cfile, report)
    for n in ast.walk(program):  # NMODL code (not VERBATIM C) calling a C function: nocmodl's C would pass it
        if isinstance(n, ast.Call) and n.name in c_functions:  # NEURON's thread arguments first
                raise report.error(UnsupportedFeature, f"NMODL code calling the VERBATIM C function "
                                   f"{_short(n.name)} (bridge calls C functions from VERBATIM C)", n)
    return replace(program, items=tuple(made) + tuple(items)), frozenset(c_functions)


def _c_function(c: CFunction, known: dict[str, CFunction], variables: dict[str, Variable], taken: frozenset[str],
                cfile: CFile, report: Reporter) -> ast.Node:
    """The NMODL FUNCTION (a `double` C function) or PROCEDURE (`void`) that runs C function `c`'s body: its
    parameters and C locals only, calls of the C functions defined before it (`known`), a `return e;` only
    where the function ends (an early exit is refused), on every path of a `double` function."""
    def error(message: str, node: ast.Node | None) -> BridgeError:
        return report.error(UnsupportedFeature, f"VERBATIM block: {message}", node)

    name = c.name
    if (name.startswith("_") or name in variables or name in taken or name in C_MATH or name in _NOT_LOCAL_NAMES
            or name in known):
        raise error(f"a C function named {_short(name)} (bridge translates C functions whose names are not the "
                    "mechanism's, NEURON's, a math function's or another function's)", c)
    if c.ctype == "int":
        raise error(f"the C function {_short(name)} returning int (bridge translates void and double functions)", c)
    if len(set(c.params)) != len(c.params):
        raise error(f"the C function {_short(name)} with two parameters of one name", c)
    body = _CFunctionBody(c, variables, report)
    body.taken, body.cfile, body.c_functions = taken, cfile, dict(known)
    for p in c.params:
        body.check_name(p, c)
    body.c_locals.update(dict.fromkeys(c.params, "double"))
    if c.ctype == "double" and not _always_returns(c.body):
        raise error(f"the C function {_short(name)} may end without 'return' (C leaves its value undefined)", c)
    stmts: tuple[Any, ...] = tuple(body.tail_statements(c.body, True))
    params = tuple(ast.Param(p, loc=c.loc) for p in c.params)
    if c.ctype == "double":
        return ast.FunctionBlock(name, params, stmts, loc=c.loc)
    return ast.ProcedureBlock(name, params, stmts, loc=c.loc)


def deferrable(item: ast.Node) -> bool:
    """Whether a FUNCTION/PROCEDURE whose VERBATIM C is outside the subset may stay, refused when it runs: one
    without preprocessor lines (a macro it defines could change later code) and without a TABLE (nocmodl's
    nrn_init builds the table by calling it: `_check_<name>()`, noccout.cpp)."""
    return isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)) and not any(
        (isinstance(n, ast.Verbatim) and "#" in n.text) or isinstance(n, ast.Table) for n in ast.walk(item))


def _stub(item: Any, message: str) -> ast.Node:
    """`item` with a body that raises `message` when it runs (`CRefused`)."""
    return replace(item, body=(CRefused(message, loc=item.loc),))


def _defer_callers(items: list[Any], refused: dict[str, BridgeError], hoc_args: set[str],
                   report: Reporter) -> list[Any]:
    """`items` where every FUNCTION/PROCEDURE that calls a refused one is refused too (it would run that C), as is
    one that calls a function whose C reads HOC's arguments (`hoc_args`: `*getarg` would read its caller's); any
    other block that calls one (INITIAL, BREAKPOINT, a SOLVE, NET_RECEIVE, ...) refuses the file with the C's
    own error, since the run itself would run the C."""
    if not refused and not hoc_args:
        return items

    def calls(item: ast.Node) -> set[str]:
        return {n.name for n in ast.walk(item) if isinstance(n, (ast.Call, ast.Solve))}

    def why(name: str) -> BridgeError:
        return refused[name] if name in refused else refused[name + "()"]

    changed = True
    while changed:
        changed = False
        for k, item in enumerate(items):
            if not isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)) or item.name in refused:
                continue
            hit = sorted(calls(item) & (set(refused) | hoc_args))
            if hit and deferrable(item):
                first = why(hit[0])
                refused[item.name] = first
                hoc_args.discard(item.name)
                items[k] = _stub(item, f"{item.name}() calls {hit[0]}(): {first.location}: {first.message}")
                changed = True
    for item in items:
        if isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)) and item.name in refused:
            continue
        hit = sorted(calls(item) & (set(refused) | hoc_args))
        if hit:
            if hit[0] in refused:
                raise refused[hit[0]]
            call = next(n for n in ast.walk(item) if isinstance(n, (ast.Call, ast.Solve)) and n.name == hit[0])
            raise report.error(UnsupportedFeature, why(hit[0]).message, call)
    return items


def _always_returns(stmts: tuple) -> bool:
    """Whether C statements `stmts` end in a `return` on every path."""
    if not stmts:
        return False
    last = stmts[-1]
    if isinstance(last, (CReturn, CReturnValue)):
        return True
    if isinstance(last, ast.Block):
        return _always_returns(last.body)
    if isinstance(last, ast.If):
        return last.orelse is not None and _always_returns(last.body) and _always_returns(last.orelse)
    return False


def file_state(program: ast.Program) -> CFile:
    """A fresh `CFile` for `program`'s VERBATIM blocks: nocmodl's NRN_VECTORIZED is 0 for a file with VERBATIM
    and no THREADSAFE (its generated .cpp: `#define NRN_VECTORIZED 0`), unknown otherwise."""
    return CFile(vectorized=None if program.neuron.threadsafe else 0)


def _check_macros(program: ast.Program, variables: dict[str, Variable], cfile: CFile, report: Reporter) -> None:
    """A C macro named like a name of the NMODL code would change what that code compiles to in NEURON: refused."""
    if not cfile.defined:
        return
    names = set(variables) | {getattr(n, "name", None) for n in ast.walk(program)} | set(program.defines)
    for macro, loc in cfile.defined:
        if macro.name in names or macro.name in C_MATH or macro.name.startswith("_"):
            raise UnsupportedFeature(f"VERBATIM block: the C macro {_short(macro.name)}, which NEURON's compiler "
                                     "applies to the NMODL code's name too", loc, report.source)


def parse_checked(block: ast.Verbatim, report: Reporter, int_names: frozenset[str] = frozenset(),
                  cfile: CFile | None = None) -> tuple[ast.Node, ...]:
    """The items of `block` (`syntax.verbatim`; `int_names`: C locals declared `int` before it; `cfile`: what the
    file's earlier blocks defined, updated), or the `UnsupportedFeature` of C outside the subset's grammar
    or of a non-standard header (names are resolved later, by `translate_verbatim`)."""
    try:
        items = parse_verbatim(block, report.filename, int_names=int_names, cfile=cfile)
    except VerbatimOutside as err:
        raise UnsupportedFeature(f"VERBATIM block: {err.message}", err.loc, report.source) from None
    for c in items:
        if isinstance(c, CNothing) and c.what.startswith("#include"):
            header = c.what[len("#include"):].strip().strip("<>")
            if header not in STANDARD_HEADERS:
                raise report.error(UnsupportedFeature, f"VERBATIM block: #include of a header that is not "
                                   f"C's own ({header[:40]!r})", c)
    return items


class _Block:
    """The translation of the VERBATIM blocks of one top-level block."""

    def __init__(self, item: ast.Node, variables: dict[str, Variable], ion_of: dict[str, str],
                 ion_reads: tuple[str, ...], report: Reporter):
        self.item, self.variables, self.ion_of, self.ion_reads, self.report = item, variables, ion_of, ion_reads, report
        body = getattr(item, "body", ())
        # NET_RECEIVE's arguments are nocmodl's `_args[k]` (and flag `_lflag`), no C name of theirs: not `_lw`
        params = () if isinstance(item, ast.NetReceiveBlock) else getattr(item, "params", ()) or ()
        self.locals = locals_in(body) | {p.name for p in params}
        self.hidden = {p.name for p in getattr(item, "params", ()) or ()} - self.locals  # NET_RECEIVE's arguments
        if isinstance(item, ast.FunctionBlock):
            self.locals.add(item.name)
        self.taken: frozenset[str] = frozenset()  # the file's FUNCTION, PROCEDURE and DEFINE names (set by the caller)
        self.cfile = CFile()  # the file's C macros (set by the caller)
        self.c_locals: dict[str, str] = {}  # C locals declared so far in the block: name -> "double" or "int"
        self.unset: set[str] = set()  # C locals declared without a value and not yet assigned on every path
        self.c_functions: dict[str, CFunction] = {}  # the file-level C functions this code may call
        # calls of names not (yet) known as C functions: a block's C may call a function defined further down
        # the file (nocmodl emits the blocks' C after the file-level C); checked once the file is read. None:
        # refused at once (a C function's body calls only the functions defined before it, as C requires)
        self.pending: list[tuple[ast.Call, bool]] | None = None
        self.hoc_args: set[str] = set()  # the FUNCTIONs/PROCEDUREs whose C reads HOC's arguments (`*getarg(k)`)
        # the indices of the FROM loops around the code being translated, innermost last: nocmodl's C names each
        # `_lj`, a C `int` (parse1.ypp, fromstmt: `{int _lj; for (_lj = ...`)
        self.from_vars: list[str] = []

    def error(self, message: str, node: ast.Node | None) -> BridgeError:
        return self.report.error(UnsupportedFeature, f"VERBATIM block: {message}", node)

    def translated(self) -> ast.Node:
        tails = _tails(self.item.body) if isinstance(self.item, ast.ProcedureBlock) else set()
        return self._node(self.item, tails)

    def _node(self, node: ast.Node, tails: set[int]) -> ast.Node:
        """`node` with the VERBATIM blocks in its statement lists translated (`tails`: the ids of the
        VERBATIM blocks in the PROCEDURE's tail position, where a final `return 0;` is allowed)."""
        changes: dict[str, Any] = {}
        for f in fields(node):
            value = getattr(node, f.name)
            if f.name == "loc" or not isinstance(value, tuple) or not any(isinstance(v, ast.Node) for v in value):
                continue
            if not any(isinstance(n, ast.Verbatim) for v in value if isinstance(v, ast.Node) for n in ast.walk(v)):
                continue
            out: list[ast.Node] = []
            for st in value:
                if isinstance(st, ast.Verbatim):
                    out += self._verbatim(st, final=id(st) in tails)
                elif isinstance(st, ast.Node):
                    self._no_c_int(st)
                    before = set(self.unset)
                    if isinstance(st, ast.From):
                        self.from_vars.append(st.var)
                    try:
                        out.append(self._node(st, tails))
                    finally:
                        if isinstance(st, ast.From):
                            self.from_vars.pop()
                    self.unset |= before  # what C assigns inside an NMODL IF or loop may not run
                else:
                    out.append(st)
            changes[f.name] = tuple(out)
        return replace(node, **changes) if changes else node

    def _no_c_int(self, st: ast.Node) -> None:
        """Refuse NMODL code naming a C local declared `int` (nocmodl's C would compute with it as an int), or
        reading one not yet assigned on every path (C leaves its value undefined)."""
        targets = {id(n.target) for n in ast.walk(st) if isinstance(n, ast.Assign)}
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and self.c_locals.get(n.name) == "int":
                raise self.error(f"NMODL code using the C int {_short(n.name)} (C's integer arithmetic; bridge "
                                 "uses C locals declared double there)", n)
            if isinstance(n, ast.Name) and n.name in self.unset and id(n) not in targets:
                raise self.error(f"the C local {_short(n.name)} read before it is assigned on every path (C leaves "
                                 "its value undefined)", n)

    def _verbatim(self, block: ast.Verbatim, final: bool) -> list[ast.Node]:
        ints = frozenset({n for n, ctype in self.c_locals.items() if ctype == "int"}
                         | {"_l" + v for v in self.from_vars})
        items = parse_checked(block, self.report, ints, self.cfile)
        code = [c for c in items if not isinstance(c, CNothing)]
        if code and not isinstance(self.item, _CODE_BLOCKS):
            raise self.error(f"C code in a {_block_name(self.item)} (bridge translates VERBATIM C in INITIAL, "
                             "BREAKPOINT, NET_RECEIVE, PROCEDURE and FUNCTION blocks)", code[0])
        out = []
        for k, c in enumerate(items):
            if isinstance(c, CReturnValue):
                raise self.error("'return' other than 'return 0;' at the end of a PROCEDURE (an early exit, or "
                                 "a FUNCTION's value, or an error code)", c)
            if isinstance(c, CReturn):
                if not (final and k == len(items) - 1 and c.value == 0 and isinstance(self.item, ast.ProcedureBlock)):
                    raise self.error("'return' other than 'return 0;' at the end of a PROCEDURE (an early exit, or "
                                     "a FUNCTION's value, or an error code)", c)
            else:
                out += self._statement(c)
        return out

    def _statement(self, st: ast.Node) -> list[Any]:
        if isinstance(st, CNothing):
            return []
        if isinstance(st, (CReturn, CReturnValue)):
            raise self.error("'return' inside a C block or an if (an early exit)", st)
        if isinstance(st, COutput):
            self._output(st)
            return []
        if isinstance(st, CDecl):
            return [x for var in st.names for x in self._declare(st.ctype, var.name, var.value, var)]
        if isinstance(st, ast.Assign):
            return [self._assign(st)]
        if isinstance(st, CSwitch):
            return self._statement(self._if_chain(st))
        if isinstance(st, CBreak):
            raise self.error("'break' other than the one that ends a switch's group (an exit from a loop or "
                             "from the middle of a case)", st)
        if isinstance(st, ast.If):
            hoisted, condition = self._condition(st.condition)
            if hoisted is not None:
                return hoisted + self._statement(replace(st, condition=condition))
            condition = self._expr(st.condition)
            before = set(self.unset)
            body = tuple(x for s in st.body for x in self._statement(s))
            after_body, self.unset = self.unset, before
            orelse = None if st.orelse is None else tuple(x for s in st.orelse for x in self._statement(s))
            self.unset |= after_body  # assigned only where both branches assign
            return [ast.If(condition, body, orelse, loc=st.loc)]
        if isinstance(st, ast.Block):
            return [ast.Block(tuple(x for s in st.body for x in self._statement(s)), loc=st.loc)]
        if isinstance(st, ast.ExprStatement) and isinstance(st.expr, ast.Call) and (
                st.expr.name in self.c_functions or self._later(st.expr, True)):
            return [ast.ExprStatement(self._c_call(st.expr, statement=True), loc=st.loc)]
        if isinstance(st, ast.ExprStatement) and isinstance(st.expr, ast.Call):
            raise self.error(f"a call of {_short(st.expr.name)}() as a statement (bridge runs C's math functions "
                             "in expressions only)", st)
        raise self.error(f"{type(st).__name__}", st)

    def _assign(self, st: ast.Assign) -> ast.Assign:
        value = self._expr(st.value)
        target = self._target(st.target)
        if isinstance(target, ast.Name) and self.c_locals.get(target.name) == "int" and not isinstance(value, ast.CInt):
            value = ast.CInt(value, loc=value.loc)  # C converts the value to the int's type
        self.unset.discard(target.name)
        return ast.Assign(target, value, loc=st.loc)

    def _if_chain(self, st: CSwitch) -> ast.Node:
        """A switch whose groups never fall through, as `if (e == 0) {...} else if (e == 1 || e == 2) {...} else
        {default}`: C compares the int `e` with each label once; `e` has no side effect (the subset's
        expressions have none but an assignment, refused there), and no group runs before the comparisons that
        choose it, so comparing again per group is the same."""
        if any(isinstance(n, CAssignExpr) for n in ast.walk(st.subject)):
            raise self.error("an assignment in a switch's value", st.subject)
        chain: Any = None
        subject: Any = st.subject
        default = next((g for g in st.groups if None in g.labels), None)
        if default is not None:
            body: Any = default.body
            chain = (ast.Block(body, loc=default.loc),)
        for g in reversed([g for g in st.groups if None not in g.labels]):
            cond: Any = None
            for value in g.labels:
                number = ast.Number(float(value or 0), str(value), loc=g.loc)
                test = ast.Binary("==", subject, number, loc=g.loc)
                cond = test if cond is None else ast.Binary("||", cond, test, loc=g.loc)
            assert cond is not None
            body = g.body
            chain = (ast.If(cond, (ast.Block(body, loc=g.loc),), chain, loc=g.loc),)
        return chain[0] if chain else ast.Block((), loc=st.loc)

    def _condition(self, condition: Any) -> tuple[list[Any] | None, Any]:
        """An if's condition `(x = e) < c` (or `(x = e)` alone) as the assignment `x = e` run first and the
        condition `x < c` (C's value of an assignment is `x`'s new value; the other operand must not read `x`,
        whose order C leaves unsequenced); (None, condition) when it assigns nothing."""
        if not any(isinstance(n, CAssignExpr) for n in ast.walk(condition)):
            return None, condition
        if isinstance(condition, CAssignExpr):
            return [self._assign(condition.assign)], condition.assign.target
        if isinstance(condition, ast.Binary) and condition.op in ("<", "<=", ">", ">=", "==", "!="):
            for side, other in ((condition.left, condition.right), (condition.right, condition.left)):
                if isinstance(side, CAssignExpr) and not any(isinstance(n, CAssignExpr) for n in ast.walk(other)):
                    target = side.assign.target
                    if any(isinstance(n, (ast.Name, ast.Indexed)) and n.name == target.name for n in ast.walk(other)):
                        raise self.error(f"an assignment of {_short(target.name)} compared with an expression that "
                                         "reads it (C leaves the order unsequenced)", side)
                    stmts = [self._assign(side.assign)]
                    left, right = (target, other) if side is condition.left else (other, target)
                    return stmts, replace(condition, left=left, right=right)
        node = next(n for n in ast.walk(condition) if isinstance(n, CAssignExpr))
        raise self.error("an assignment inside an expression (bridge translates one that is an operand of the "
                         "comparison an if tests)", node)

    def check_name(self, name: str, where: ast.Node) -> None:
        """Refuse a C local or parameter named like the mechanism's, NEURON's, a LOCAL's, a function's or another
        C local's name."""
        if (name.startswith("_") or name in self.variables or name in self.locals or name in self.taken
                or name in C_MATH or name in _NOT_LOCAL_NAMES or name in self.c_locals or name in self.c_functions):
            raise self.error(f"a C local named {_short(name)} (bridge translates C locals whose names are not the "
                             "mechanism's, NEURON's, a LOCAL's, a function's or another C local's)", where)

    def _later(self, call: ast.Call, statement: bool) -> bool:
        """Whether `call` may be of a C function defined later in the file (then noted in `pending`)."""
        if (self.pending is None or call.name in C_MATH or call.name in ("printf", "fprintf")
                or any(isinstance(a, ast.String) for a in call.args)):  # a C function of the subset takes doubles
            return False
        self.pending.append((call, statement))
        return True

    def _c_call(self, call: ast.Call, statement: bool) -> ast.Call:
        """A call of a file-level C function: its FUNCTION (double) or PROCEDURE (void), the arguments C converts
        to its double parameters (checked later when the function is defined further down the file)."""
        c = self.c_functions.get(call.name)
        if c is None:
            return ast.Call(call.name, tuple(self._expr(a) for a in call.args), loc=call.loc)
        if c.ctype == "void" and not statement:
            raise self.error(f"the value of the void C function {_short(call.name)}()", call)
        if len(call.args) != len(c.params):
            raise self.error(f"{_short(call.name)}() with {len(call.args)} arguments (it takes {len(c.params)})", call)
        return ast.Call(call.name, tuple(self._expr(a) for a in call.args), loc=call.loc)  # an int's value is a double

    def _declare(self, ctype: str, name: str, value: ast.Node | None, where: ast.Node) -> list[ast.Node]:
        """An NMODL LOCAL for the C local `name` and its initial value (C's conversion to int for an int)."""
        self.check_name(name, where)
        self.c_locals[name] = ctype
        self.unset.add(name)
        out: list[ast.Node] = [ast.Local((ast.LocalVar(name, loc=where.loc),), loc=where.loc)]
        if value is not None:
            init = self._expr(value)
            if ctype == "int" and not isinstance(init, ast.CInt):
                init = ast.CInt(init, loc=init.loc)
            out.append(ast.Assign(ast.Name(name, loc=where.loc), init, loc=where.loc))
            self.unset.discard(name)
        return out

    def _output(self, st: COutput) -> None:
        args = st.call.args
        if st.call.name == "fprintf":
            stream = args[0] if args else None
            if not (isinstance(stream, ast.Name) and stream.name in ("stderr", "stdout")):
                raise self.error("fprintf to a stream other than stderr or stdout", st)
            args = args[1:]
        if not args or not isinstance(args[0], ast.String):
            raise self.error(f"{st.call.name}() without a format string", st)
        for a in args[1:]:
            self._expr(a)  # its names must resolve too (nothing is evaluated)
        loc = st.loc
        warnings.warn(f"{loc}: VERBATIM {st.call.name}(): bridge prints nothing (NEURON prints the text here; "
                      "output only, no number depends on it)", stacklevel=2)

    def _target(self, target: ast.Node) -> Any:
        if isinstance(target, ast.Indexed):
            return self._element(target, _WRITE_KINDS, "assigning")
        assert isinstance(target, ast.Name)
        name = target.name
        if name.startswith("_l") and name[2:] in self.from_vars:
            raise self.error(f"assigning {_short(name)}, the index of the FROM loop around the C (bridge runs the "
                             "loop's own steps)", target)
        if name in self.c_locals:
            return ast.Name(name, loc=target.loc)
        if name.startswith("_l") and name[2:] in self.locals:
            return ast.Name(name[2:], loc=target.loc)
        self._not_local(target)
        var = self.variables.get(name)
        if name.startswith("__") or var is None or var.kind not in _WRITE_KINDS or var.size is not None:
            raise self.error(f"assigning the C name {_short(name)} (bridge assigns the mechanism's PARAMETERs, "
                             "ASSIGNEDs, STATEs and ion variables, and LOCALs and arguments as _lname)", target)
        return ast.Name(name, loc=target.loc)

    def _element(self, e: ast.Indexed, kinds: tuple[str, ...], what: str) -> ast.Indexed:
        """`name[i]`: an element of the mechanism's array `name` (nocmodl's macro for it takes C's subscript), at
        the int `i` (one outside the array: NaN, `runtime.arrays`)."""
        var = self.variables.get(e.name)
        if e.name.startswith("_") or e.name in self.locals or var is None or var.kind not in kinds or var.size is None:
            raise self.error(f"{what} the C array element {_short(e.name)}[...] (bridge translates elements of the "
                             "mechanism's own arrays)", e)
        return ast.Indexed(e.name, self._expr(e.index), loc=e.loc)

    def _not_local(self, node: ast.Name) -> None:
        if node.name in self.hidden or (node.name.startswith("_l") and node.name[2:] in self.hidden):
            raise self.error(f"the C name {_short(node.name)} in NET_RECEIVE, whose argument {_short(node.name)} "
                             "nocmodl's C passes as _args[k] (bridge translates NET_RECEIVE's C that uses the "
                             "mechanism's variables and LOCALs)", node)
        if node.name in self.locals or node.name in self.from_vars:
            raise self.error(f"the C name {_short(node.name)} is the mechanism's variable, which the block's "
                             f"LOCAL or argument {_short(node.name)} hides in NMODL", node)

    def _expr(self, e: ast.Node) -> Any:
        if isinstance(e, ast.Number):
            return e
        if isinstance(e, ast.Name):
            return self._read(e)
        if isinstance(e, ast.Unary):
            return ast.Unary(e.op, self._expr(e.operand), loc=e.loc)
        if isinstance(e, ast.CInt):
            return ast.CInt(self._expr(e.operand), loc=e.loc)
        if isinstance(e, ast.Binary):
            return ast.Binary(e.op, self._expr(e.left), self._expr(e.right), loc=e.loc)
        if isinstance(e, CGetArg):
            return self._getarg(e)
        if isinstance(e, ast.Indexed):
            return self._element(e, _READ_KINDS, "reading")
        if isinstance(e, CAssignExpr):
            raise self.error("an assignment inside an expression (bridge translates one that is an operand of the "
                             "comparison an if tests)", e)
        if isinstance(e, ast.Call) and (e.name in self.c_functions or self._later(e, False)):
            return self._c_call(e, statement=False)
        if isinstance(e, ast.Call):
            if e.name not in C_MATH:
                raise self.error(f"a call of {_short(e.name)}() (bridge runs C's math functions only)", e)
            if len(e.args) != C_MATH[e.name]:
                raise self.error(f"{e.name}() with {len(e.args)} arguments", e)
            return ast.Call(e.name, tuple(self._expr(a) for a in e.args), loc=e.loc)
        if isinstance(e, ast.String):
            raise self.error("a string outside printf", e)
        raise self.error(type(e).__name__, e)

    def _getarg(self, e: CGetArg) -> ast.Name:
        """`*getarg(k)`: nocmodl's HOC wrapper of a FUNCTION/PROCEDURE passes HOC's arguments in order
        (`_hoc_f`: `_lf(..., *getarg(1), ...)`), so while HOC calls it, HOC's argument k is its parameter k."""
        item = self.item
        if isinstance(self, _CFunctionBody) or not isinstance(item, (ast.FunctionBlock, ast.ProcedureBlock)):
            raise self.error("*getarg() outside a FUNCTION or PROCEDURE (HOC's arguments of whatever HOC call "
                             "runs the code)", e)
        if not 1 <= e.index <= len(item.params):
            raise self.error(f"*getarg({e.index}) beyond the {len(item.params)} arguments of {_short(item.name)}", e)
        self.hoc_args.add(item.name)
        return ast.Name(item.params[e.index - 1].name, loc=e.loc)

    def _read(self, e: ast.Name) -> Any:
        name = e.name
        if name.startswith("_ion_"):
            ion_var = name[len("_ion_"):]
            ion = self.ion_of.get(ion_var)
            if ion is None or ion_var not in (f"{ion}i", f"{ion}o") or ion_var not in self.ion_reads:
                raise self.error(f"{_short(name)} (bridge reads the ion's storage of a concentration this "
                                 "mechanism's USEION reads or writes)", e)
            return ast.IonValue(ion_var, loc=e.loc)
        if name.startswith("_l") and (name[2:] in self.locals or name[2:] in self.from_vars):
            return ast.Name(name[2:], loc=e.loc)
        if name in self.c_locals:
            if name in self.unset:
                raise self.error(f"the C local {_short(name)} read before it is assigned on every path (C leaves "
                                 "its value undefined)", e)
            return ast.Name(name, loc=e.loc)
        self._not_local(e)
        if name in _READ_BUILTINS:
            return e
        var = self.variables.get(name)
        if name.startswith("__") or var is None or var.kind not in _READ_KINDS or var.size is not None:
            raise self.error(f"the C name {_short(name)} (not a PARAMETER, ASSIGNED, STATE, ion variable or "
                             "CONSTANT of the mechanism, v, t, dt, celsius, or a LOCAL or argument as _lname)", e)
        return e


class _CFunctionBody(_Block):
    """The body of a file-level C function: its parameters and C locals, C's math functions and the C functions
    defined before it; a `return` only where the function ends."""

    def __init__(self, c: CFunction, variables: dict[str, Variable], report: Reporter):
        super().__init__(ast.ProcedureBlock(c.name, (), ()), variables, {}, (), report)
        self.locals = set()
        self.c = c

    def tail_statements(self, stmts: tuple, tail: bool) -> list[Any]:
        """`stmts` translated; `tail`: nothing of the function runs after them, so the last may be a return."""
        out: list[Any] = []
        for k, st in enumerate(stmts):
            last = tail and k == len(stmts) - 1
            if isinstance(st, (CReturn, CReturnValue)):
                if not last:
                    raise self.error(f"'return' before the end of the C function {_short(self.c.name)} (an early "
                                     "exit)", st)
                if self.c.ctype == "void":
                    raise self.error(f"'return' with a value in the void C function {_short(self.c.name)}", st)
                value = ast.Number(float(st.value), str(st.value), loc=st.loc) if isinstance(st, CReturn) \
                    else self._expr(st.value)
                out.append(ast.Assign(ast.Name(self.c.name, loc=st.loc), value, loc=st.loc))
            elif isinstance(st, ast.If):
                condition = self._expr(st.condition)
                before = set(self.unset)
                body: tuple[Any, ...] = tuple(self.tail_statements(st.body, last))
                after_body, self.unset = self.unset, before
                orelse: tuple[Any, ...] | None = (None if st.orelse is None
                                                   else tuple(self.tail_statements(st.orelse, last)))
                self.unset |= after_body
                out.append(ast.If(condition, body, orelse, loc=st.loc))
            elif isinstance(st, ast.Block):
                out.append(ast.Block(tuple(self.tail_statements(st.body, last)), loc=st.loc))
            else:
                out += self._statement(st)
        return out

    def _read(self, e: ast.Name) -> Any:
        if e.name in self.c_locals:
            return super()._read(e)
        raise self.error(f"the C name {_short(e.name)} in the C function {_short(self.c.name)} (bridge translates C "
                         "functions that read their parameters and C locals)", e)

    def _element(self, e: ast.Indexed, kinds: tuple[str, ...], what: str) -> ast.Indexed:
        raise self.error(f"the C array element {_short(e.name)}[...] in the C function {_short(self.c.name)} (bridge "
                         "translates C functions that read their parameters and C locals)", e)

    def _target(self, target: ast.Node) -> Any:
        if isinstance(target, ast.Indexed):
            return self._element(target, _WRITE_KINDS, "assigning")
        assert isinstance(target, ast.Name)
        if target.name in self.c_locals:
            return ast.Name(target.name, loc=target.loc)
        raise self.error(f"assigning the C name {_short(target.name)} in the C function {_short(self.c.name)} "
                         "(bridge translates C functions that assign their parameters and C locals)", target)


def _tails(body: tuple) -> set[int]:
    """The ids of the VERBATIM blocks after which nothing more of the PROCEDURE runs: its last statement, or
    the last of an IF's or ELSE's body in that place (nocmodl's C function then returns 0 anyway)."""
    if not body:
        return set()
    last = body[-1]
    if isinstance(last, ast.Verbatim):
        return {id(last)}
    if isinstance(last, ast.If):
        return _tails(last.body) | _tails(last.orelse or ())
    if isinstance(last, ast.Block):
        return _tails(last.body)
    return set()


def _block_name(item: ast.Node) -> str:
    name = type(item).__name__.removesuffix("Block")
    return {"NetReceive": "NET_RECEIVE block", "BeforeAfter": "BEFORE/AFTER block"}.get(name, f"{name.upper()} block")


def _short(name: str) -> str:
    """A C name for a message: at most 40 characters (model text)."""
    return name if len(name) <= 40 else name[:40] + "..."
