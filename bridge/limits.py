"""Bounds on the work, memory and size that one model may ask of bridge.

Model files are untrusted input: a `.hoc` or `.mod` file from the internet can
ask for a Vector of 10^9 elements, a TABLE of 10^6 points or an endless loop.
Every such request is checked against a `Limits` *before* the work or the
allocation happens, and a request over a limit is a `BridgeError` that names the
file, the line and the limit (and how to raise it).

    limits = bridge.Limits(max_memory=8 * 2**30)      # a model that really needs 8 GiB
    bridge.load_hoc("init.hoc", mechanisms="mod/", limits=limits)

The defaults admit every published model bridge has been tried on, with room to
spare, and make a hostile input fail within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one model may use. Every field is checked before the work it bounds starts.

    - `max_statements`: statements' worth of work one HOC session does (each statement, loop
      iteration, expression and call, plus the work of built-ins and of parsing, about 1 us
      each: see bridge/hoc/budget.py); an endless loop ends with an error within seconds.
    - `max_step_statements`: statements' worth of work the model's own `step()`/`advance()` may do in
      each step of a run that continuerun()/run() asks for, beyond `max_statements` (not added up over
      steps: bridge/hoc/own_step.py). The HOC work of such a run grows with its steps (tstop / dt, at
      most `max_steps`) as NEURON's does, and a runaway step ends after this much more.
    - `max_call_depth`: nested HOC procedure/function calls.
    - `max_memory`: [bytes] data a HOC session holds (Vectors, arrays, strings, sections, ...).
    - `max_file_size`: [bytes] one model file read (HOC, NMODL, data, morphology).
    - `max_nesting`: nesting of blocks and expressions in one NMODL or HOC file.
    - `max_table_points`: points of one NMODL TABLE (`WITH n`).
    - `max_loop_iterations`: NMODL loop iterations (FROM, WHILE) in one run of a block, nested
      loops multiplied (bridge unrolls FROM loops: 2,000 iterations compile in about 35 s).
    - `max_kinetic_states`: STATEs of one KINETIC scheme (80 states compile in about 35 s).
    - `max_steps`: fixed time steps of one simulation (tstop / dt).
    - `max_output_bytes`: [bytes] written by one HOC session into its output folder (`File`,
      `wopen`/`fprint`, `Vector.printf`/`fwrite`, `Matrix.fprint`).
    """

    # 10^7 ends a runaway HOC loop in 3.5-10 s of CPU (measured on a 2-core machine: 1.0-2.9 M
    # per second, cheapest for `x = 1`, dearest for section and Vector methods and parsing); a
    # HOC morphology of 50k pt3dadd lines costs 5 M.
    max_statements: int = 10_000_000
    # 2 * 10^5 (0.1-0.2 s of CPU) is 2.4 times what ModelDB 106551's advance() does per step (82,000: a
    # current dipole summed over its 2,200 3-D points, reading v and ri() at each).
    max_step_statements: int = 200_000
    max_call_depth: int = 100
    max_memory: int = 4 * 2**30
    max_file_size: int = 64 * 2**20
    max_nesting: int = 100
    max_table_points: int = 100_000
    max_loop_iterations: int = 2_000
    max_kinetic_states: int = 80
    max_steps: int = 100_000_000
    max_output_bytes: int = 2**30

    def raise_hint(self, field: str) -> str:
        """How a user raises the limit `field` (appended to the error that names it)."""
        return f"raise it with bridge.Limits({field}=...) if the model really needs more"


DEFAULT_LIMITS = Limits()
