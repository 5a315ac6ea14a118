"""HOC statements of control flow and output: `if`, `while`, `for`, iterators, `break`,
`continue`, `return`, `stop`, `print`, and expression statements.

Each executor is `exec_<node>(interp, node)`; `EXECUTORS` maps the node class to it
(`bridge.hoc.interp.Interpreter.exec` dispatches through it). A loop iteration counts as
one statement's worth of work besides its body (`bridge.hoc.budget`).
"""

from __future__ import annotations

from bridge.hoc import ast
from bridge.hoc.calls import call
from bridge.hoc.control import BreakLoop, ContinueLoop, IteratorBreak, ReturnFrom, StopRun
from bridge.hoc.expressions import EPS
from bridge.hoc.names import check_number_place, lookup, ref
from bridge.hoc.values import HocObject, IteratorBody, Proc, Sec, StrVar, is_number, truth


def exec_expr_stmt(interp, n: ast.ExprStmt) -> None:
    """An expression as a statement; at top level its value is echoed, as NEURON does."""
    e = n.expr
    if isinstance(e, ast.Member):  # `sl.append` as a statement calls the method, as in HOC
        obj = interp.eval(e.target)
        if hasattr(obj, "m_" + e.name) or (isinstance(obj, HocObject) and isinstance(obj.ns.get(e.name), Proc)):
            value = call(interp, ast.Call(e.loc, e, []))
        else:
            value = ref(interp, e).get()
    else:
        value = interp.eval(e)
    if n.echo and not _calls_a_procedure(interp, e):
        echo(interp, value)


def _calls_a_procedure(interp, e: ast.Node) -> bool:
    """`p()` of a `proc` or `iterator`: it has no value to echo."""
    if not (isinstance(e, ast.Call) and isinstance(e.func, ast.Name)):
        return False
    binding = lookup(interp, e.func.name)
    return isinstance(binding, Proc) and binding.kind in ("proc", "iterator")


def echo(interp, value) -> None:
    """What NEURON prints for a top-level expression statement."""
    if isinstance(value, StrVar):
        value = value.value
    if isinstance(value, str):
        interp.write(value + "\n")
    elif is_number(value):
        interp.write(f"\t{float(value):.8g} \n")
    elif value is not None and not isinstance(value, Sec):
        interp.write(f"\t{interp.show(value)} \n")


def exec_block(interp, n: ast.Block) -> None:
    for stmt in n.body:  # not Interpreter.exec_block: a Python frame less for each nested HOC call
        interp.exec(stmt)


def exec_if(interp, n: ast.If) -> None:
    if truth(interp.number(n.cond)):
        interp.exec(n.then)
    elif n.orelse is not None:
        interp.exec(n.orelse)


def exec_while(interp, n: ast.While) -> None:
    while truth(interp.number(n.cond)):
        interp.statements += 1
        if interp.statements > interp.next_check:
            interp.checkpoint(n.loc)
        if not interp.loop_body(n.body):
            break


def exec_for_c(interp, n: ast.ForC) -> None:
    """`for (init; cond; step) body`."""
    if n.init is not None:
        interp.exec(n.init)
    while n.cond is None or truth(interp.number(n.cond)):
        interp.statements += 1
        if interp.statements > interp.next_check:
            interp.checkpoint(n.loc)
        if not interp.loop_body(n.body):
            break
        if n.step is not None:
            interp.exec(n.step)


def exec_for_range(interp, n: ast.ForRange) -> None:
    """`for var = lo, hi body`: var steps by 1 while <= hi (within NEURON's float_epsilon)."""
    target = ref(interp, n.var, create=True)
    check_number_place(interp, target, n.loc, loop=True)
    target.set(interp.number(n.lo))
    hi = interp.number(n.hi)
    while target.get() <= hi + EPS:
        if not interp.loop_body(n.body):
            break
        target.set(target.get() + 1.0)


def exec_for_iterator(interp, n: ast.ForIterator) -> None:
    """`for it(args) body`: the iterator's `iterator_statement` runs `body` in this frame."""
    try:
        call(interp, n.call, iterator_body=IteratorBody(n.body, interp.frame))
    except IteratorBreak:
        pass


def exec_iterator_statement(interp, n: ast.IteratorStatement) -> None:
    iterator_body = interp.frame.iterator_body
    if iterator_body is None:
        raise interp.error("iterator_statement outside an iterator", n.loc)
    interp.frames.append(iterator_body.caller)
    try:
        interp.exec(iterator_body.body)
    except ContinueLoop:
        pass
    except BreakLoop:
        raise IteratorBreak() from None  # through the iterator's procedure to its `for`
    finally:
        interp.frames.pop()


def exec_break(interp, n: ast.Break) -> None:
    raise BreakLoop(n.loc)


def exec_continue(interp, n: ast.Continue) -> None:
    raise ContinueLoop(n.loc)


def exec_return(interp, n: ast.Return) -> None:
    if len(interp.frames) == 1:
        raise interp.error("return outside a procedure", n.loc)
    raise ReturnFrom(None if n.value is None else interp.eval(n.value))


def exec_stop(interp, n: ast.Stop) -> None:
    raise StopRun()


def exec_print(interp, n: ast.Print) -> None:
    """NEURON's `print`: numbers as %.8g followed by a space, strings as they are."""
    parts = []
    for item in n.items:
        v = interp.eval(item)
        if isinstance(v, StrVar):
            v = v.value
        if isinstance(v, str):  # a string found at run time (obj.s, obj.method()) prints like a value, with a
            # space (code.cpp hoc_prexpr: an object's component has its type at run time, not hoc_prstr's)
            dynamic = isinstance(item, (ast.Member, ast.Index)) or (isinstance(item, ast.Call)
                                                                    and isinstance(item.func, ast.Member))
            parts.append(v + " " if dynamic else v)
        elif is_number(v):
            parts.append(f"{float(v):.8g} ")
        else:
            parts.append(interp.show(v) + " ")
    interp.write("".join(parts) + "\n")


EXECUTORS = {
    ast.ExprStmt: exec_expr_stmt, ast.Block: exec_block, ast.If: exec_if, ast.While: exec_while,
    ast.ForC: exec_for_c, ast.ForRange: exec_for_range, ast.ForIterator: exec_for_iterator,
    ast.IteratorStatement: exec_iterator_statement, ast.Break: exec_break, ast.Continue: exec_continue,
    ast.Return: exec_return, ast.Stop: exec_stop, ast.Print: exec_print,
}
