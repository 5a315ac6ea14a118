"""HOC expressions: numbers, strings, operators, assignments, names, calls, `new`, `&pointer`.

Each evaluator is `eval_<node>(interp, node)`; `EVALUATORS` maps the node class to it
(`bridge.hoc.interp.Interpreter.eval` dispatches through it; a call is `bridge.hoc.calls.call`,
one Python frame less for each nested HOC call). HOC's comparisons are
NEURON's: within `EPS` (hoc's float_epsilon), and `&&`/`||` evaluate both sides.
"""

from __future__ import annotations

import math
import operator

from bridge.hoc import ast
from bridge.hoc.calls import arg_value, call, new
from bridge.hoc.names import bound_name_ref, check_number_place, lookup, name_value, ref
from bridge.hoc.values import NumVar, StrVar, is_number

EPS = 1e-11  # NEURON's float_epsilon used by comparisons


def eval_num(interp, n: ast.Num):
    return n.value


def eval_str(interp, n: ast.Str):
    return n.value


def eval_unary(interp, n: ast.Unary) -> float:
    v = interp.number(n.operand)
    return -v if n.op == "-" else float(v == 0.0)


def _divide(interp, a: float, b: float, loc) -> float:
    if b == 0.0:
        raise interp.error("division by zero", loc)
    return a / b


def _modulus(interp, a: float, b: float, loc) -> float:
    if b == 0.0:
        raise interp.error("modulus by zero", loc)
    return a - b * math.floor(a / b)


def _power(interp, a: float, b: float, loc) -> float:
    try:
        return math.pow(a, b)
    except (ValueError, OverflowError):
        raise interp.error(f"{a:g}^{b:g} is out of range", loc) from None


_ARITHMETIC = {  # operator -> fn(a, b) of two numbers
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "&&": lambda a, b: float(a != 0.0 and b != 0.0), "||": lambda a, b: float(a != 0.0 or b != 0.0),
}
_COMPARE = {  # operator -> fn(a, b, eps): eps is HOC's float_epsilon now (a model may change it)
    "<": lambda a, b, e: float(a < b - e), ">": lambda a, b, e: float(a > b + e),
    "<=": lambda a, b, e: float(a <= b + e), ">=": lambda a, b, e: float(a >= b - e),
}
_CHECKED = {"/": _divide, "%": _modulus, "^": _power}  # operator -> fn(interp, a, b, loc), with its errors


def _equal(a, b, eps: float = EPS) -> bool:
    """HOC's `==`: numbers within eps (float_epsilon), strings by value, objects by identity."""
    a = a.value if isinstance(a, StrVar) else a
    b = b.value if isinstance(b, StrVar) else b
    if is_number(a) and is_number(b):
        return abs(float(a) - float(b)) <= eps
    return a is b or (isinstance(a, str) and a == b)


def _operand(interp, node: ast.Node) -> float:
    """`interp.number(node)` (one statement's worth), with the common operands read in place: a number (a float:
    bridge.hoc.parse) and a scalar variable (as `name_value`)."""
    kind = type(node)
    if kind is ast.Num:
        interp.statements += 1
        return node.value
    if kind is ast.Name:
        b = lookup(interp, node.name)
        if type(b) is NumVar:
            interp.statements += 1
            return float(b.data[0])
    return interp.number(node)


def eval_binary(interp, n: ast.Binary) -> float:
    op = n.op
    if op == "==" or op == "!=":
        # float_epsilon: a model's own value (lincir1.hoc's def_con sets .01), as hoc's comparisons read it
        eq = _equal(interp.eval(n.left), interp.eval(n.right), interp.model.globals["float_epsilon"])
        return float(eq if op == "==" else not eq)
    a, b = _operand(interp, n.left), _operand(interp, n.right)
    fn = _ARITHMETIC.get(op)
    if fn is not None:
        return fn(a, b)
    cmp = _COMPARE.get(op)
    if cmp is not None:
        return cmp(a, b, interp.model.globals["float_epsilon"])
    checked = _CHECKED.get(op)
    if checked is None:  # pragma: no cover - the grammar has no other operator
        raise interp.error(f"unknown operator {op}", n.loc)
    return checked(interp, a, b, n.loc)


def eval_assign(interp, n: ast.Assign):
    """`target = value`, `+=`, `-=`, `*=`, `/=`: the value assigned."""
    value = interp.eval(n.value)
    if isinstance(value, StrVar):
        value = value.value
    if type(n.target) is ast.Name:
        b = lookup(interp, n.target.name)
        if n.op == "=" and type(b) is NumVar and type(value) is float:
            b.data[0] = value  # as ElemRef(b, 0).set(value) (bound_name_ref, var_ref)
            return value
        target = bound_name_ref(interp, n.target, b, True, value)
    else:
        target = ref(interp, n.target, create=True, value=value)
    if n.op != "=":
        if not is_number(value):
            raise interp.error(f"{n.op} needs numbers", n.loc)
        old = target.get()
        value = {"+=": old + value, "-=": old - value, "*=": old * value}.get(n.op)
        if value is None:
            if float(interp.number(n.value)) == 0.0:
                raise interp.error("division by zero", n.loc)
            value = old / interp.number(n.value)
    if is_number(value):
        check_number_place(interp, target, n.loc)
    target.set(float(value) if is_number(value) else value)
    return value


def eval_arg(interp, n: ast.Arg):
    """`$1`, `$o1`, `$s1`, `$&1`: an argument of the running procedure."""
    if n.kind == "" and n.index:
        args = interp.frame.args
        if len(interp.frames) > 1 and 0 < n.index <= len(args) and is_number(args[n.index - 1]):
            return args[n.index - 1]
    return ref(interp, n).get()


def eval_name(interp, n: ast.Name):
    """A name: the value it refers to."""
    return name_value(interp, n, lookup(interp, n.name))


def eval_reference(interp, n: ast.Node):
    """`a[i]` or `obj.member`: the value it refers to."""
    return ref(interp, n).get()


def eval_new(interp, n: ast.New):
    return new(interp, n.template, [arg_value(interp, a) for a in n.args], n.loc)


def eval_pointer(interp, n: ast.Pointer):
    return ref(interp, n.target)


def eval_range_arg(interp, n: ast.RangeArg) -> tuple[float, float]:
    return (interp.number(n.lo), interp.number(n.hi))


EVALUATORS = {
    ast.Num: eval_num, ast.Str: eval_str, ast.Unary: eval_unary, ast.Binary: eval_binary, ast.Assign: eval_assign,
    ast.Name: eval_name, ast.Arg: eval_arg, ast.Index: eval_reference, ast.Member: eval_reference,
    ast.New: eval_new, ast.Call: call, ast.Pointer: eval_pointer, ast.RangeArg: eval_range_arg,
}
