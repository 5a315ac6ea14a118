"""Where scopmath's `stepforce(t, "file")` runs (src/scopmath/force.cpp; data: `bridge.nmodl.syntax.forcing`).

nocmodl passes two hidden arguments (parsact.cpp add_reset_args): `_reset`, set when the value
steps, and the last value. The value itself depends on t and the file only, so bridge runs the
call where `_reset` is not read: INITIAL, BREAKPOINT, NET_RECEIVE, FUNCTION and PROCEDURE
bodies. In a DERIVATIVE, KINETIC, LINEAR or NONLINEAR block it is refused (the integrators
there return `_reset`).
"""

from __future__ import annotations

from bridge.errors import UnsupportedFeature
from bridge.nmodl.analysis.info import Reporter
from bridge.nmodl.syntax import ast

_SOLVED = (ast.DerivativeBlock, ast.KineticBlock, ast.LinearBlock, ast.NonLinearBlock)


def check_stepforce(call: ast.Call, item: ast.Node, program: ast.Program, report: Reporter) -> None:
    """Refuse a `stepforce` call bridge cannot run as NEURON does (module docstring)."""
    if len(call.args) != 2 or not isinstance(call.args[1], ast.String):
        raise report.error(UnsupportedFeature, f"stepforce() with {len(call.args)} argument(s): bridge runs "
                           'stepforce(t, "file"), scopmath\'s form (src/scopmath/force.cpp)', call)
    if call.args[1].value not in {name for name, _, _ in program.forcing}:
        raise report.error(UnsupportedFeature, f'stepforce(t, "{call.args[1].value}") in text without a file: '
                           "no folder to read the data file from", call)
    if isinstance(item, _SOLVED):
        raise report.error(UnsupportedFeature, "stepforce() in a DERIVATIVE, KINETIC, LINEAR or NONLINEAR block "
                           "(scopmath's reset flag, which those integrators read, is not modelled)", call)
