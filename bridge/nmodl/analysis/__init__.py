"""The translator's second stage: an NMODL syntax tree checked as nocmodl would and resolved.

`analyze.analyze(program, source)` runs one pass per concern, in order, and returns
a `info.MechanismInfo`:

- `refusals`: constructs bridge does not run (C code, events, random numbers, ...);
- `symbols`: the mechanism's name and kind, the UNITS block (`units`: unit
  arithmetic as NEURON's database has it), what every declared name is;
- `ions`: USEION statements → what the mechanism reads, writes and owns;
- `blocks`: the named blocks; `tables`: their TABLEs;
- `usage`: names used are declared, assignments bridge can run, no recursion;
- `solve`: the method each BREAKPOINT SOLVE runs with (`derivatives`: nocmodl's
  symbolic test for cnexp).

The names NMODL code may use without declaring them are in `vocabulary`.
"""
