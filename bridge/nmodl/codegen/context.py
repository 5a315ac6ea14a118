"""Where a statement is being compiled: the typed context code generation passes along.

A `Context` belongs to one block of the generated module: the mechanism (`info`), the
module's shared state (`module`: fresh names, runtime imports), the block's kind and
LOCAL names, and `forms`, how the statements that only some blocks have compile there:
`x' = e` in a DERIVATIVE block (by its METHOD), reactions in a KINETIC block, `~`
equations in a LINEAR or NONLINEAR block. The block's own module supplies them
(`cnexp`, `derivimplicit`, `kinetic`, `equations`), so `statements` never imports those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from bridge.errors import BridgeError
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen.emitter import Emitter, ModuleState
from bridge.nmodl.syntax import ast

BlockKind = Literal["initial", "breakpoint", "function", "derivative", "kinetic", "linear", "nonlinear", "table",
                    "net_receive"]


@dataclass(frozen=True)
class BlockForms:
    """How the block-specific statements compile in this block; None where the block has none."""

    prime: Callable[[ast.Assign, ast.Prime, Context, Emitter], None] | None = None  # `x' = e`
    prime_read: Callable[[ast.Prime], str] | None = None  # `x'` read on a right-hand side
    reaction: Callable[[ast.Reaction, Context, Emitter], None] | None = None  # `~ A <-> B (kf, kb)`, `~ A << (f)`
    equation: Callable[[ast.Equation, Context, Emitter], None] | None = None  # `~ lhs = rhs`


@dataclass
class Context:
    """Where a statement is compiled (module docstring). `pre` collects the statements an
    expression needs first (temporaries, PROCEDURE calls); `effects` is True once one of
    them has side effects (not only temporaries)."""

    info: MechanismInfo
    module: ModuleState
    block: BlockKind
    locals: set[str] = field(default_factory=set)
    function: str | None = None  # the FUNCTION whose value `name = e` sets
    forms: BlockForms = field(default_factory=BlockForms)
    pre: list[str] = field(default_factory=list)
    effects: bool = False

    def child(self) -> Context:
        """The context of a nested body (an IF branch, a loop body): the same block, its own `pre`."""
        return Context(self.info, self.module, self.block, set(self.locals), self.function, self.forms)

    def fresh(self, stem: str) -> str:
        """A new name of the module's own (`_then3`)."""
        return self.module.fresh(stem)

    def runtime(self, module: str, name: str) -> str:
        """`module.name` of a runtime module the generated module then imports (`ModuleState.runtime`)."""
        return self.module.runtime(module, name)

    def error(self, cls: type[BridgeError], message: str, node: ast.Node | None) -> BridgeError:
        loc = getattr(node, "loc", None) or self.info.where(None)
        return cls(message, loc, self.info.source)
