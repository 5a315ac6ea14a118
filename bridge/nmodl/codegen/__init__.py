"""The translator's third stage: an analysed mechanism → the Python source of one module.

`module.generate(info)` assembles the module; `blocks` writes FUNCTIONs, PROCEDUREs,
INITIAL, BREAKPOINT and NET_RECEIVE, through `statements` and `expressions` within a typed
`context.Context`; each solve method has its module (`cnexp`, `derivimplicit` for
derivimplicit and euler, `kinetic` for sparse, `equations` for LINEAR/NONLINEAR, `tables`
for TABLE). Model text reaches the source only through `pytext`; `sandbox` checks the
source against the rules of generated code and runs it. The generated module imports only
`bridge.nmodl.runtime`.
"""
