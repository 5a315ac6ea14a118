"""The HOC interpreter: what a session holds while HOC runs, and how a statement or expression runs.

`Interpreter.exec(node)` runs a statement with the executor its node class has in one
dispatch table, built from the statement modules:

- `bridge.hoc.statements`: control flow (`if`, loops, `return`, `break`), `print`, expression statements;
- `bridge.hoc.declarations`: `double`, `strdef`, `objref`, `local`, `proc`/`func`, templates;
- `bridge.hoc.section_statements`: `create`, `access`, `soma { }`, `connect`, `insert`, `forall`, ...

`Interpreter.eval(node)` evaluates an expression with `bridge.hoc.expressions.EVALUATORS`.
Names are resolved when a statement runs, as NEURON does (`bridge.hoc.names`): locals,
then the current object's (or the top level's) names, then NEURON's built-ins; calls,
procedures and `new` are `bridge.hoc.calls`. The model the program builds is a
`bridge.hoc.model_state.ModelState` (`self.model`).

Bounds (`bridge.Limits`): `max_statements` statements' worth of work per interpreter
(endless loops end with a HocError; see `bridge.hoc.budget` for what a statement's worth
is), `max_call_depth` nested HOC calls, `max_memory` bytes of live data (`self.memory`).
"""

from __future__ import annotations

from typing import Any

from bridge.errors import BridgeError, HocError, HocRefusal, SourceLocation, UnsupportedFeature
from bridge.hoc import (
    ast,
    budget,
    declarations,
    equations,
    lifetimes,
    parse_names,
    section_statements,
    statements,
    stdout_switch,
)
from bridge.hoc.builtins import builtin_functions
from bridge.hoc.classes import builtin_classes
from bridge.hoc.control import SIGNALS, BreakLoop, ContinueLoop
from bridge.hoc.expressions import EVALUATORS
from bridge.hoc.loader import FileState
from bridge.hoc.objects import ObjectRegistry
from bridge.hoc.ref_drops import FrameStack
from bridge.hoc.values import Builtin, Frame, Sec, Segment, StrVar, Template, fmt_number, is_number
from bridge.limits import DEFAULT_LIMITS, Limits

EXECUTORS: dict[type[ast.Node], Any] = {
    **statements.EXECUTORS, **declarations.EXECUTORS, **section_statements.EXECUTORS, **equations.EXECUTORS,
}  # statement node class -> executor(interp, node)


class Interpreter:
    """Runs HOC programs against a model state (`bridge.hoc.model_state.ModelState`).

    `files`: where the program reads and what it is reading (`bridge.hoc.loader.FileState`)."""

    def __init__(self, model, files: FileState, limits: Limits = DEFAULT_LIMITS):
        self.model = model
        self.files = files
        self.limits = limits
        self.max_statements = limits.max_statements
        self.max_depth = limits.max_call_depth
        self.statements = 0  # statements' worth of work done so far (bridge.hoc.budget)
        self.next_check = min(self.max_statements, budget.RECOUNT_STATEMENTS)  # see checkpoint()
        self.stepped = False  # whether a run's step raised max_statements (allow_step)
        self.memory = budget.MemoryBudget(limits)
        self.top: dict[str, Any] = {}  # top-level names
        self.templates: dict[str, Template] = {}
        self.frames: list[Frame] = FrameStack([Frame("top level", [], None, None)])  # (bridge.hoc.ref_drops)
        self.source_of: dict[str, str] = {}  # file name -> its text (for error excerpts)
        self.literal_strs: dict[int, tuple] = {}  # id(ast.Str) -> (node, StrVar): literals passed to procs
        self.builtins: dict[str, Builtin] = builtin_functions()
        self.classes: dict[str, Any] = builtin_classes()  # class name -> maker(interp, args, loc)
        self.objects = ObjectRegistry()  # the built-in objects made (`Vector[3]`)
        self.collected_at = 0  # template objects and point processes alive after the last lifetimes.collect
        self.collected_drops = -1  # bridge.hoc.ref_drops.count() at the end of the last lifetimes.collect

    # -- errors ---------------------------------------------------------------------
    def error(self, message: str, loc: SourceLocation | None, cls: type[HocError] = HocError) -> HocError:
        stack = tuple(f"{f.name} called at {f.loc}" for f in self.frames[1:] if f.loc)
        source = self.source_of.get(loc.filename) if loc else None
        return cls(message, loc, source, stack)

    def refuse(self, message: str, loc: SourceLocation | None) -> HocRefusal:
        """The error for a construct bridge refuses on purpose (see `HocRefusal`)."""
        return self.error(message, loc, HocRefusal)

    # -- where names are declared -----------------------------------------------------------
    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    def namespace(self) -> dict[str, Any]:
        """Where a declaration puts its name: the current object's names, else the top level's."""
        obj = self.frame.obj
        return obj.ns if obj is not None else self.top

    # -- the work budget (bridge.hoc.budget) ------------------------------------------------
    def charge(self, statements: int, loc) -> None:
        """Count `statements` statements' worth of work against `max_statements`."""
        self.statements += statements
        if self.statements > self.next_check:
            self.checkpoint(loc)

    def work(self, elements: int, loc, nbytes: int = 0) -> None:
        """Count a built-in's work: a Python loop over `elements` elements (Vector values,
        sections, ...) and a C-level copy, fill or format of `nbytes` bytes."""
        self.charge(elements // budget.ELEMENTS_PER_STATEMENT + nbytes // budget.BYTES_PER_STATEMENT, loc)

    def checkpoint(self, loc) -> None:
        """Every `budget.RECOUNT_STATEMENTS` statements and at the end of the budget: refuse to go
        on past `max_statements`, and count what the model state keeps (`MemoryBudget.recount`)."""
        if self.statements > self.max_statements:
            raise self.exhausted(loc)
        try:
            self.memory.recount(self.model)
        except HocError as err:
            raise self.error(err.message, loc) from None
        self.next_check = min(self.max_statements, self.statements + budget.RECOUNT_STATEMENTS)

    def allow_step(self, loc) -> None:
        """A step of a run asked for by continuerun()/run() begins, run through the model's own
        step()/advance() (`bridge.hoc.own_step`): the step may do `Limits.max_step_statements` statements'
        worth of work, beyond the budget or what is left of it. The allowance is not added up over steps
        (the budget becomes at least the work done so far plus it), so a runaway step still ends after
        at most that much more work than the budget."""
        allowed = self.statements + self.limits.max_step_statements
        if allowed > self.max_statements:
            self.max_statements = allowed
            self.stepped = True
            self.checkpoint(loc)

    def exhausted(self, loc) -> HocError:
        if self.stepped:
            return self.error(f"statement budget of {self.max_statements} exhausted in a step of the run (an endless "
                              f"loop?); Limits.max_statements = {self.limits.max_statements} counts statements and "
                              f"the work of built-ins, and each step of a run through the model's own "
                              f"step()/advance() may do Limits.max_step_statements = "
                              f"{self.limits.max_step_statements} beyond it; "
                              f"{self.limits.raise_hint('max_step_statements')}", loc)
        return self.error(f"statement budget of {self.max_statements} exhausted (an endless loop?); "
                          f"Limits.max_statements counts statements and the work of built-ins; "
                          f"{self.limits.raise_hint('max_statements')}", loc)

    def write(self, text: str) -> None:
        """Print `text` (print, printf, echo): its length counts as work."""
        self.charge(len(text) // budget.OUTPUT_BYTES_PER_STATEMENT, None)
        stdout_switch.write_printed(self, text)

    def new_str(self, value: str = "") -> StrVar:
        """A string variable whose values count against the session's memory."""
        charge = budget.Charge(self.memory)
        var = StrVar("", charge)
        charge.bind(var)
        var.value = value
        return var

    # -- statements -------------------------------------------------------------------------
    def check_parsed(self, program: ast.Program) -> None:
        """Stop where hoc's parser would stop reading a parsed chunk, before any of it runs
        (`bridge.hoc.parse_names`)."""
        parse_names.check(self, program)

    def exec(self, node: ast.Node) -> None:
        """Run one statement (one statement's worth of work)."""
        self.statements += 1
        if self.statements > self.next_check:
            self.checkpoint(node.loc)
        lifetimes.maybe_collect(self)  # objects HOC dropped die (NEURON's reference counts)
        executor = EXECUTORS.get(type(node))
        if executor is None:
            raise self.error(f"unsupported HOC statement {type(node).__name__}", node.loc)
        try:
            executor(self, node)
        except SIGNALS:
            raise
        except BridgeError as err:
            if err.location is not None:
                raise  # already says where (a syntax error in a loaded file, ...)
            # raised below the interpreter (catalog, model state): say where, and keep a refusal one
            refused = isinstance(err, (HocRefusal, UnsupportedFeature))
            raise self.error(err.message, node.loc, HocRefusal if refused else HocError) from None
        except RecursionError:
            raise self.error("nesting too deep", node.loc) from None
        except (ValueError, OverflowError, ZeroDivisionError, TypeError, IndexError) as err:
            raise self.error(f"{type(err).__name__}: {err}", node.loc) from None

    def exec_block(self, body: list[ast.Node]) -> None:
        for stmt in body:
            self.exec(stmt)

    def loop_body(self, body: ast.Node) -> bool:
        """Run a loop body; False when the loop must end (break)."""
        try:
            self.exec(body)
        except BreakLoop:
            return False
        except ContinueLoop:
            pass
        return True

    # -- expressions ------------------------------------------------------------------------
    def eval(self, node: ast.Node):
        """The value of an expression (counted as work at the next statement)."""
        self.statements += 1
        evaluator = EVALUATORS.get(type(node))
        if evaluator is None:
            raise self.error(f"{type(node).__name__} cannot be used as a value here", node.loc)
        return evaluator(self, node)

    def number(self, node: ast.Node) -> float:
        """The value of an expression that must be a number."""
        self.statements += 1  # as eval(node)
        evaluator = EVALUATORS.get(type(node))
        if evaluator is None:
            raise self.error(f"{type(node).__name__} cannot be used as a value here", node.loc)
        value = evaluator(self, node)
        if type(value) is float:
            return value
        if isinstance(value, StrVar):
            value = value.value
        if not is_number(value):
            raise self.error(f"a number was expected here, not {self.describe(value)}", node.loc)
        return float(value)

    def section_of(self, value, loc) -> Sec:
        """`value` as a live section (a segment's section too)."""
        if isinstance(value, Segment):
            value = value.sec
        if not isinstance(value, Sec):
            raise self.error(f"a section was expected, not {self.describe(value)}", loc)
        if not value.alive:
            raise self.error(f"section {value.name} was deleted", loc)
        return value

    def describe(self, value) -> str:
        """A value as an error message names it."""
        if isinstance(value, str):
            return f"the string {value!r}"
        if value is None:
            return "NULLobject"
        if isinstance(value, Sec):
            return f"the section {value.name}"
        return f"the object {value}"

    def show(self, value) -> str:
        """A value as `print` and `%s` write it."""
        if is_number(value):
            return fmt_number(float(value))
        if isinstance(value, StrVar):
            return value.value
        if value is None:
            return "NULLobject"
        return str(value)
