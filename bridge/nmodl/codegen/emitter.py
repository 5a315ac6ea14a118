"""Lines of generated Python, indented, each commented with the `.mod` line it comes from."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.analysis.info import MechanismInfo
from bridge.nmodl.codegen import pytext
from bridge.nmodl.syntax import ast

# The runtime modules generated code may import (`bridge.nmodl.runtime`), by the name it uses.
RUNTIME_MODULES = {"rt": "libm", "flow": "flow", "arrays": "arrays", "derivative": "derivative",
                   "sparse": "sparse", "equations": "equations", "tables": "tables", "functable": "functable",
                   "events": "events", "rng": "randomvars", "scop": "scoprandom",
                   "forcing": "forcing"}


@dataclass
class ModuleState:
    """What one generated module shares: its counter of fresh names and the runtime modules it uses."""

    counter: int = 0
    imports: set[str] = field(default_factory=set)
    net_send_sites: int = 0  # call sites of net_send() so far (runtime.events)
    net_event_sites: int = 0  # call sites of net_event() so far
    net_move_sites: int = 0  # call sites of net_move() so far
    for_netcons: bool = False  # NET_RECEIVE has a FOR_NETCONS loop (runtime.events.for_netcons)
    event_sites: list[tuple[str, int]] = field(default_factory=list)  # ("send"|"event"|"move", site) in text order
    watches: list = field(default_factory=list)  # WATCH conditions (ast.WatchCondition) in text order

    def fresh(self, stem: str) -> str:
        """A new name of the module's own (`_then3`): a leading `_`, which no NMODL name has."""
        self.counter += 1
        return f"_{stem}{self.counter}"

    def runtime(self, module: str, name: str) -> str:
        """`module.name`, a function of a runtime module (`RUNTIME_MODULES`), which the module then imports."""
        assert module in RUNTIME_MODULES, module
        self.imports.add(module)
        return f"{module}.{name}"


class Emitter:
    """Lines of Python with indentation and `.mod` line comments.

    `hoisted()` collects the lines of a nested function (an IF branch, a loop body) and
    places them before the next line of the enclosing function's own body, so that
    nesting in the .mod file never nests Python blocks (Python allows 100 levels)."""

    def __init__(self, info: MechanismInfo, limits: Limits = DEFAULT_LIMITS):
        self.lines: list[str] = []
        self.level = 0
        self.info = info
        self.limits = limits
        self.module = ModuleState()
        # lines as the parser counts them (only \n and \r end a line; str.splitlines also splits at
        # form feeds, \x85, \u2028, ...)
        self.source_lines = info.source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.basename = pytext.comment(info.filename.rsplit("/", 1)[-1])
        self._pending: list[str] = []  # finished hoisted functions, waiting for the next body line
        self._capturing = 0

    def line(self, text: str = "", node: ast.Node | None = None) -> None:
        if self._pending and not self._capturing:
            self.lines.extend(self._pending)
            self._pending.clear()
        comment = self.origin(node)
        pad = "    " * self.level
        if comment and len(pad + text) < 100:
            self.lines.append(f"{pad}{text}  {comment}")
        elif comment:
            self.lines.append(f"{pad}{comment}")
            self.lines.append(f"{pad}{text}")
        else:
            self.lines.append(f"{pad}{text}" if text else "")

    def comment(self, text: str) -> None:
        """A comment line of model-derived text (escaped by `pytext.comment`)."""
        self.line(f"# {pytext.comment(text)}")

    def origin(self, node: ast.Node | None) -> str:
        loc = getattr(node, "loc", None)
        if loc is None or not loc.line:
            return ""
        text = self.source_lines[loc.line - 1].strip() if loc.line <= len(self.source_lines) else ""
        text = text if len(text) <= 60 else text[:57] + "..."
        return f"# {self.basename}:{loc.line}: {pytext.comment(text)}"

    @contextmanager
    def hoisted(self) -> Iterator[None]:
        """Emit a function definition at the top level of the enclosing function's body."""
        saved, level = self.lines, self.level
        self.lines, self.level = [], 1
        self._capturing += 1
        try:
            yield
        finally:
            block = self.lines
            self.lines, self.level = saved, level
            self._capturing -= 1
            self._pending.extend(block)

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
