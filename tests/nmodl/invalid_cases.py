"""Invalid NMODL snippets with where the error is: (source, line, column, words the message must hold).

Shared by test_diagnostics.py (our parser's report) and test_oracle.py (nocmodl must refuse them
too, and neuron.nmodl at the same line, except INVALID_NOCMODL_ONLY).
Columns are 1-based and were counted by hand from the snippets.
"""

INVALID = [
    ("NEURON { SUFFIX }", 1, 17, ["'}'", "a name"]),
    ("NEURON { SUFFIX hh\n  RANGE }", 2, 9, ["'}'", "a name"]),
    ("NEURON { SUFFIX a USEION na }", 1, 26, ["USEION needs READ or WRITE"]),
    ("NEURON { SUFFIX a USEION ca READ }", 1, 34, ["'}'", "a name"]),
    ("NEURON { SUFFIX a RANGE x, }", 1, 28, ["'}'", "a name"]),
    ("NEURON { SUFFIX a }\nNEURON { SUFFIX b } }", 2, 21, ["'}'"]),
    ("PARAMETER { a = }", 1, 17, ["'}'", "a number"]),
    ("PARAMETER { a = 1 <0, > }", 1, 23, ["'>'", "a number"]),
    ("PARAMETER { a[2.5] }", 1, 15, ["expected an integer, found 2.5"]),
    ("STATE { m = 1 }", 1, 11, ["'='"]),
    ("CONSTANT { a = b }", 1, 16, ["name 'b'", "a number"]),
    ("UNITS { mV = millivolt }", 1, 14, ["name 'millivolt'", "units in parentheses"]),
    ("BREAKPOINT { x = }", 1, 18, ["'}'", "a name", "a number"]),
    ("BREAKPOINT { x = 1 +\n}", 2, 1, ["'}'"]),
    ("BREAKPOINT {\n  x = (1 + 2\n}", 3, 1, ["'}'", "')'"]),
    ("BREAKPOINT { x = 1; }", 1, 19, ["';'"]),
    ("BREAKPOINT { x = 1 } }", 1, 22, ["'}'"]),
    ("BREAKPOINT { x = 1", 1, 19, ["end of file", "'}'"]),
    ("BREAKPOINT {\n  x = 1\n  LOCAL y\n}", 3, 3, ["'LOCAL' is a keyword"]),
    ("BREAKPOINT { x = 2 $ 3 }", 1, 20, ["'$'"]),
    ("BREAKPOINT { x = a[ }", 1, 21, ["'}'"]),
    ("BREAKPOINT { x = f(a,) }", 1, 22, ["')'"]),
    ("BREAKPOINT { SOLVE }", 1, 20, ["'}'", "a name"]),
    ("BREAKPOINT { SOLVE s METHOD }", 1, 29, ["'}'", "a name"]),
    ("INITIAL { if x > 0 { } }", 1, 14, ["name 'x'", "'('"]),
    ("INITIAL { if (x) { } else }", 1, 27, ["'}'", "'{'"]),
    ("INITIAL { while (x) y = 1 }", 1, 21, ["name 'y'", "'{'"]),
    ("INITIAL { FROM i = 0 TO { } }", 1, 25, ["'{'"]),
    ("INITIAL { FROM i 0 TO 1 { } }", 1, 18, ["number 0", "'='"]),
    ("INITIAL { x = 1 } garbage", 1, 19, ["name 'garbage'"]),
    ("PROCEDURE p(a b) { }", 1, 15, ["name 'b'", "')'"]),
    ("PROCEDURE p() { TABLE a FROM 0 TO 1 WITH 2.5 }", 1, 42, ["expected an integer, found 2.5"]),
    ("FUNCTION f { }", 1, 12, ["'{'", "'('"]),
    ("DERIVATIVE { }", 1, 12, ["'{'", "a name"]),
    ("KINETIC k { ~ a <-> b }", 1, 23, ["'}'", "'('"]),
    ("KINETIC k { ~ a <-> b (1) }", 1, 25, ["')'", "','"]),
    ("KINETIC k { ~ a*b <-> c (1, 2) }", 1, 15, ["reaction side"]),
    ("NET_RECEIVE(w) { WATCH (v) 2 }", 1, 26, ["')'", "'>'"]),
    ("x = 1", 1, 1, ["name 'x'"]),
    ("NEURON {\n\tSUFFIX\n}", 3, 1, ["'}'", "a name"]),
    ("PARAMETER { x = 1 (mV\n y = 2 }", 1, 19, ["'('", "units in parentheses"]),
    ("NEURON { SUFFIX t1 RANGEx }", 1, 20, ["unexpected name 'RANGEx'"]),
    ("NEURON { SUFFIX t1 }\nSTATE { m }\nBREAKPOINT { SOLVE s METHOD foo }", 3, 29, ["unknown method 'foo'", "cnexp"]),
    ("NEURON { SUFFIX t1 }\nSTATE { a }\nKINETIC k { ~ a = 1 }", 3, 13, ["equation", "LINEAR or NONLINEAR"]),
    ("NEURON { SUFFIX t1 }\nSTATE { a b }\nLINEAR l { ~ a <-> b (1, 2) }", 3, 12, ["reaction", "KINETIC"]),
    ("NEURON { SUFFIX t1 }\nSTATE { a[N] }", 2, 11, ["'N' is neither an integer nor a DEFINE name"]),
    ("NEURON { SUFFIX t1 }\nASSIGNED { _x }", 2, 12, ["'_'"]),
]

# nocmodl refuses these too, but neuron.nmodl's parser accepts them (it leaves the check to later passes).
INVALID_NOCMODL_ONLY = [
    ("NEURON { SUFFIX t1 }\nSTATE { m }\nBREAKPOINT { COMPARTMENT 1 { m } }", 3, 14, ["COMPARTMENT", "KINETIC"]),
    ("NEURON { SUFFIX t1 }\nASSIGNED { m }\nBREAKPOINT { TABLE m FROM 0 TO 1 WITH 2 }", 3, 14,
     ["TABLE", "FUNCTION or PROCEDURE"]),
    ("NEURON { SUFFIX t1 }\nSTATE { a }\nBREAKPOINT { ~ a = 1 }", 3, 14, ["equation", "not in BREAKPOINT"]),
    ("NEURON { SUFFIX t1 }\nASSIGNED { a }\nBREAKPOINT { INITIAL { a = 1 } }", 3, 14, ["INITIAL", "NET_RECEIVE"]),
    ("NEURON { POINT_PROCESS t1 }\nASSIGNED { a }\nBREAKPOINT { FOR_NETCONS(w) { a = 1 } }", 3, 14,
     ["FOR_NETCONS", "NET_RECEIVE"]),
    ("NEURON { POINT_PROCESS t1 }\nASSIGNED { v }\nINITIAL { WATCH (v > 1) 2 }", 3, 11, ["WATCH", "NET_RECEIVE"]),
]
