"""Running a generated mechanism module: its syntax checked against rules, then executed with
only the builtins it needs.

`bridge.nmodl.codegen.pytext` keeps model text out of the generated code; this is the second
line of defence. Before the module is compiled, its Python syntax tree must follow
the rules of what bridge generates:

- imports: only `from ... import ...` lines of the module header (`IMPORTS`);
- only the node types generated code uses (functions, assignments, calls, arithmetic,
  comparisons, subscripts, `for` and `if`; no classes, lambdas, `with`, `try`, ...);
- no name or attribute starting with `__`; none of exec, eval, compile, open,
  getattr, ... (`FORBIDDEN_NAMES`); attributes only of the modules it imports, and
  of those only their own public functions (`rt.exp`, `sparse.sparse`, ...);
- `globals()` only in the last line, `MECHANISM = TranslatedMechanism.from_module(globals())`.

A module that breaks a rule is a BridgeError naming the .mod file: it can only
come from a bug in bridge's escaping. The module then runs with `__builtins__`
holding `MODULE_BUILTINS` and an `__import__` that imports the header's modules only.

Each `a / b` of the checked tree runs as `__c_div(a, b)`, `bridge.nmodl.runtime.libm.div`
bound under a name generated code cannot hold (it starts with `__`): the same division
for arrays and traced values, and C's x/0 (inf or NaN, as NEURON's compiled code gives)
for Python numbers, where `/` would raise ZeroDivisionError. The source shown by
`bridge translate` keeps the readable `/`; line numbers are unchanged.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import linecache
from types import ModuleType

from bridge.errors import BridgeError
from bridge.nmodl.codegen.emitter import RUNTIME_MODULES
from bridge.nmodl.codegen.pytext import MODULE_BUILTINS
from bridge.nmodl.runtime import (
    arrays,
    derivative,
    equations,
    events,
    flow,
    forcing,
    functable,
    libm,
    mechanism,
    randomvars,
    scoprandom,
    sparse,
    tables,
)

# module -> the names the generated header may import from it (name -> the name it is bound to)
IMPORTS = {
    "bridge.nmodl.runtime": {module: alias for alias, module in RUNTIME_MODULES.items()},
    "bridge.nmodl.runtime.mechanism": {"TranslatedMechanism": "TranslatedMechanism"},
}
_RUNTIME = {"libm": libm, "flow": flow, "arrays": arrays, "derivative": derivative, "sparse": sparse,
            "equations": equations, "tables": tables, "functable": functable, "events": events,
            "randomvars": randomvars, "scoprandom": scoprandom,
            "forcing": forcing}
DIVISION = "__c_div"  # the name `a / b` is run through

FORBIDDEN_NAMES = frozenset({
    "exec", "eval", "compile", "open", "__import__", "getattr", "setattr", "delattr", "hasattr", "globals",
    "locals", "vars", "dir", "input", "breakpoint", "memoryview", "type", "object", "super", "help", "exit",
    "quit", "classmethod", "staticmethod", "property", "print", "id",
})

NODE_TYPES = (
    ast.Module, ast.Expr, ast.Constant, ast.ImportFrom, ast.alias, ast.Assign, ast.FunctionDef, ast.arguments,
    ast.arg, ast.Return, ast.Name, ast.Load, ast.Store, ast.Attribute, ast.Call, ast.keyword, ast.BinOp,
    ast.UnaryOp, ast.Compare, ast.Subscript, ast.Tuple, ast.Dict, ast.For, ast.If,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.Not, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
)

LAST_LINE = "MECHANISM = TranslatedMechanism.from_module(globals())"


def _own_functions(module: ModuleType) -> frozenset[str]:
    """The public functions `module` defines itself (not what it imports)."""
    return frozenset(n for n, v in vars(module).items()
                     if not n.startswith("_") and inspect.isfunction(v) and v.__module__ == module.__name__)


# Name -> the attributes generated code may read from it
ATTRIBUTES = {
    **{alias: _own_functions(_RUNTIME[module]) for alias, module in RUNTIME_MODULES.items()},
    "TranslatedMechanism": frozenset({"from_module"}),
    "s": frozenset({"get"}),  # the scope dict: s.get('usetable_hh', 1.0)
}


class _Violation(Exception):
    def __init__(self, node: ast.AST, what: str):
        super().__init__(what)
        self.line = getattr(node, "lineno", 0)
        self.what = what


def _check_import(node: ast.ImportFrom) -> None:
    allowed = IMPORTS.get(node.module or "")
    if node.level != 0 or allowed is None:
        raise _Violation(node, f"import from {node.module!r}")
    for alias in node.names:
        if allowed.get(alias.name) != (alias.asname or alias.name):
            raise _Violation(node, f"import of {alias.name!r} from {node.module!r}")


def _check_node(node: ast.AST) -> None:
    if not isinstance(node, NODE_TYPES):
        raise _Violation(node, f"a {type(node).__name__} node")
    if isinstance(node, ast.ImportFrom):
        _check_import(node)
    elif isinstance(node, ast.Name):
        if node.id.startswith("__") or node.id in FORBIDDEN_NAMES:
            raise _Violation(node, f"the name {node.id!r}")
    elif isinstance(node, ast.Attribute):
        base = node.value.id if isinstance(node.value, ast.Name) else None
        if base is None or node.attr not in ATTRIBUTES.get(base, ()):
            raise _Violation(node, f"the attribute {ast.unparse(node)!r}")
    elif isinstance(node, ast.FunctionDef):
        if node.decorator_list or node.returns or node.name.startswith("__"):
            raise _Violation(node, f"the function {node.name!r}")
    elif isinstance(node, ast.arg):
        if node.annotation is not None or node.arg.startswith("__"):
            raise _Violation(node, f"the argument {node.arg!r}")


def check(tree: ast.Module) -> None:
    """Raise `_Violation` where `tree` breaks the rules of generated code (module docstring)."""
    body = list(tree.body)
    last = body.pop() if body else None
    if last is None or ast.unparse(last) != LAST_LINE:
        raise _Violation(last or tree, f"a last line other than {LAST_LINE!r}")
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body.pop(0)  # the docstring
    for statement in body:
        if not isinstance(statement, (ast.ImportFrom, ast.Assign, ast.FunctionDef)):
            raise _Violation(statement, f"a {type(statement).__name__} statement at module level")
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        _check_node(node)


class _CDivision(ast.NodeTransformer):
    """`a / b` → `__c_div(a, b)` (see the module docstring)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Div):
            return node
        func = ast.Name(id=DIVISION, ctx=ast.Load())
        return ast.copy_location(ast.Call(func=func, args=[node.left, node.right], keywords=[]), node)


def _import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002  (__import__'s signature)
    """`__import__` for the generated module: the header's modules, nothing else."""
    allowed = IMPORTS.get(name)
    if level != 0 or allowed is None or not fromlist or any(n not in allowed for n in fromlist):
        raise ImportError(f"generated mechanism code may not import {name!r}")
    return builtins.__import__(name, None, None, fromlist, 0)


def restricted_builtins() -> dict:
    """The `__builtins__` of a generated module."""
    out = {n: getattr(builtins, n) for n in MODULE_BUILTINS}
    out["__import__"] = _import
    return out


def run(python: str, filename: str, key: str) -> dict:
    """Check and execute generated module source; its namespace (MECHANISM included).

    `filename` is the .mod file the source was translated from (for errors); `key` names
    the module in tracebacks (the source is kept in linecache)."""
    name = f"<bridge-nmodl {key[:12]}>"
    try:
        tree = ast.parse(python, name)
        check(tree)
        tree = ast.fix_missing_locations(_CDivision().visit(tree))
        code = compile(tree, name, "exec")
    except _Violation as err:
        raise BridgeError(f"{filename}: the Python bridge generated for this file breaks the rules of generated "
                          f"code ({err.what}, generated line {err.line}): an internal escaping bug in bridge, "
                          "please report it with the .mod file") from None
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        raise BridgeError(f"{filename}: bridge generated Python that does not compile ({type(err).__name__}: "
                          f"{err}): an internal bug in bridge, please report it with the .mod file") from None
    linecache.cache[name] = (len(python), None, python.splitlines(True), name)
    ns: dict = {"__name__": f"bridge_nmodl_{key[:12]}", "__source__": python, "__builtins__": restricted_builtins(),
                DIVISION: libm.div}
    exec(code, ns)  # noqa: S102  (generated code, checked above)
    return ns


# the modules must be loaded before a generated module imports them through `_import`
_LOADED = (mechanism,)
