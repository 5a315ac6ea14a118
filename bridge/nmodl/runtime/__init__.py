"""What generated mechanism code calls at run time; nothing here imports the translator.

A translated `.mod` file is a Python module (`bridge.nmodl.codegen.module`) that
imports from here only, under these names:

- `rt` (`libm`): C's math and the C operators `/`, `^`, `&&`, `||`, `!`;
- `flow`: IF, WHILE and FROM over arrays of instances, and the loop budget;
- `arrays`: elements of NMODL array variables;
- `derivative`: DERIVATIVE blocks (euler, derivimplicit, runge; Newton from `newton`);
- `sparse`: KINETIC schemes (sparse, steady state);
- `equations`: LINEAR and NONLINEAR blocks;
- `tables`: TABLE building and lookup;
- `TranslatedMechanism` (`mechanism`): the module seen through the solver's Mechanism protocol.
"""
