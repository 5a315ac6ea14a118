"""C's math as NEURON's compiled mechanisms compute it, for generated code (imported as `rt`).

Functions take Python/NumPy float scalars to the C library (`math.exp` is glibc's
`exp`, which NEURON's compiled code calls too) and return NumPy float64 scalars (so
that `0./0.` gives NaN as in C); arrays and traced values go to `jax.numpy`. TABLEs are
built this way, point by point, bit for bit as NEURON builds them. `exp` is NEURON's `hoc_Exp`
(0 below -700, exp(700) above 700); of a traced float64 value it is glibc's bit for bit under parity
arithmetic (`libm_mode`: the C library's own, `native_exp`, or its emulation), XLA's own otherwise.

Also here: the C operators whose meaning differs from Python's: `/` (x/0 is inf or NaN,
not ZeroDivisionError; `bridge.nmodl.codegen.sandbox` runs every `/` of generated code
through `div`), `^` (`pow`), `&&`, `||` and `!` (on arrays, per instance).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from bridge.mechanisms import cexp
from bridge.mechanisms.ions import FARADAY, ktf
from bridge.nmodl.runtime import glibc_exp, libm_mode, native_exp, native_libm


def _is_py(x) -> bool:
    return isinstance(x, (float, int)) and not isinstance(x, bool)


def _c_float(fn_math, fn_jnp):
    def f(x):
        if _is_py(x):
            try:
                return np.float64(fn_math(float(x)))
            except OverflowError:
                return np.float64(math.inf)
            except ValueError:
                return np.float64(math.nan)
        return fn_jnp(x)

    return f


def _c_log(fn):
    """C's log and log10 give -inf at 0 (Python's raise)."""
    return lambda x: -math.inf if x == 0 else fn(x)


EXP_LIMIT = 700.0  # hoc_Exp's bounds [dimensionless]
_EXP_700 = math.exp(EXP_LIMIT)


def exp(x):
    """NEURON's `hoc_Exp` (src/oc/math.cpp), which nocmodl's `#define exp hoc_Exp` makes every `exp` of a
    mechanism (cnexp's too): 0 for x < -700, exp(700) for x > 700 (NEURON prints a warning), else C's exp."""
    if _is_py(x):
        x = float(x)
        return np.float64(0.0 if x < -EXP_LIMIT else _EXP_700 if x > EXP_LIMIT else math.exp(x))
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.result_type(float))
    inner = jnp.clip(x, -EXP_LIMIT, EXP_LIMIT)  # exp(700) above; no inf in the unused branch of the gradient
    e = _c_exp(inner)
    return jnp.where(x < -EXP_LIMIT, jnp.zeros_like(e), e)


def _c_exp(x):
    """C's own `exp` of a traced float array: glibc's under parity arithmetic (`libm_mode`), else XLA's. glibc's
    is the C library's own `exp` called from a compiled kernel on CPUs (`native_exp`), else emulated."""
    variant = libm_mode.c_library_exp()
    if not variant or x.dtype != jnp.float64:
        return jnp.exp(x)
    return native_exp.exp(x) if native_exp.usable(x) else glibc_exp.exp(x, variant == "fused")


cexp.register(_c_exp)  # KSChan's exp (bridge.mechanisms.kschan) is C's too


def _c_library(name: str, fn_jnp):
    """Of a traced float64 array under parity arithmetic (`libm_mode`), the C library's own `name` (a compiled
    CPU kernel, `native_libm`: XLA's tanh, sinh, cosh and log10 are not glibc's bit for bit); else XLA's."""
    def f(x):
        x = jnp.asarray(x)
        if libm_mode.c_library_exp() and native_libm.usable(x):
            return native_libm.function(name)(x)
        return fn_jnp(x)

    return f


log = _c_float(_c_log(math.log), jnp.log)  # XLA's log is glibc's (docs/numerics.md section 11)
log10 = _c_float(_c_log(math.log10), _c_library("log10", jnp.log10))
sqrt = _c_float(math.sqrt, jnp.sqrt)
fabs = _c_float(math.fabs, jnp.abs)
sin = _c_float(math.sin, jnp.sin)
cos = _c_float(math.cos, jnp.cos)
tan = _c_float(math.tan, _c_library("tan", jnp.tan))
asin = _c_float(math.asin, _c_library("asin", jnp.arcsin))
acos = _c_float(math.acos, _c_library("acos", jnp.arccos))
atan = _c_float(math.atan, _c_library("atan", jnp.arctan))
sinh = _c_float(math.sinh, _c_library("sinh", jnp.sinh))
cosh = _c_float(math.cosh, _c_library("cosh", jnp.cosh))
tanh = _c_float(math.tanh, _c_library("tanh", jnp.tanh))
floor = _c_float(math.floor, jnp.floor)
ceil = _c_float(math.ceil, jnp.ceil)
erf = _c_float(math.erf, _c_library("erf", jax.scipy.special.erf))
erfc = _c_float(math.erfc, _c_library("erfc", jax.scipy.special.erfc))
abs = fabs  # noqa: A001  (NMODL's abs on doubles)


def atan2(y, x):
    if _is_py(y) and _is_py(x):
        return math.atan2(y, x)
    return jnp.arctan2(y, x)


def fmod(x, y):
    if _is_py(x) and _is_py(y):
        return math.fmod(x, y) if y != 0 else math.nan
    return jnp.fmod(x, y)


def fmin(x, y):
    if _is_py(x) and _is_py(y):
        return min(x, y)
    return jnp.fmin(x, y)


def fmax(x, y):
    if _is_py(x) and _is_py(y):
        return max(x, y)
    return jnp.fmax(x, y)


def pow(x, y):  # noqa: A001  (NMODL's ^ and pow())
    """C's pow: Python floats go to libm; integer exponents of arrays multiply, except under parity
    arithmetic, where a float64 array's power is the C library's (`_c_library_pow`)."""
    if _is_py(x) and _is_py(y):
        try:
            return np.float64(math.pow(x, y))
        except OverflowError:
            return np.float64(math.inf)
        except (ValueError, ZeroDivisionError):
            return np.float64(math.nan if x < 0 else math.inf)
    if _is_py(y) and libm_mode.c_library_exp() and jnp.asarray(x).dtype == jnp.float64:
        return _c_library_pow(jnp.asarray(x), float(y))
    if _is_py(y) and float(y).is_integer() and _builtins_abs(y) <= 64:
        return jax.lax.integer_pow(jnp.asarray(x, dtype=jnp.result_type(float)), int(y))
    return jnp.power(x, y)


def _c_library_pow(x, y: float):
    """pow(x, y) of a float64 array and a constant y, as nocmodl's C computes `x^y` (`pow(x, y)`). XLA's CPU
    pow calls the C library's pow (equal to ctypes' on 10^6 arguments), but LLVM replaces a constant
    exponent 2, -1 or 0.5 by x*x, 1/x or sqrt (about 0.08% of those results differ from glibc's pow, which
    is not correctly rounded), and `x^3` multiplied out differs in 26%: the exponent is given as a value
    XLA cannot fold (x*0 + y where x is finite, y elsewhere; no gradient through it)."""
    opaque = jax.lax.stop_gradient(jnp.where(jnp.isfinite(x), x * 0.0 + y, y))
    return jnp.power(x, opaque)


def _builtins_abs(x):
    return x if x >= 0 else -x


def div(a, b):
    """a / b with C semantics for Python numbers (inf/NaN, not ZeroDivisionError); every `/` of
    generated code runs through it (`bridge.nmodl.codegen.sandbox`)."""
    if isinstance(b, (bool, np.bool_)):
        b = float(b)
    if isinstance(a, (bool, np.bool_)):
        a = float(a)
    if _is_py(a) and _is_py(b) and b == 0:
        if a == 0 or math.isnan(a):
            return np.float64(math.nan)
        return np.float64(math.copysign(math.inf, a) * math.copysign(1.0, b))
    return a / b


def logical_and(a, b):
    if isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_)):
        return bool(a and b)
    return jnp.logical_and(a, b)


def logical_or(a, b):
    if isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_)):
        return bool(a or b)
    return jnp.logical_or(a, b)


def logical_not(a):
    if isinstance(a, (bool, np.bool_)):
        return not a
    return jnp.logical_not(a)


C_INT_LOW, C_INT_HIGH = -2147483649.0, 2147483648.0  # a double converts to a 32-bit int between these


def c_int(x):
    """C's conversion of a double to `int` (VERBATIM's casts, int variables and integer arithmetic):
    truncation toward zero; NaN where C leaves the result undefined (NaN, or outside int's range), so that
    bridge's NaN check reports it rather than a number C would not give."""
    if isinstance(x, (bool, np.bool_)):
        return np.float64(1.0 if x else 0.0)
    if _is_py(x):
        x = float(x)
        return np.float64(math.trunc(x)) if C_INT_LOW < x < C_INT_HIGH else np.float64(math.nan)
    x = jnp.asarray(x, dtype=jnp.result_type(x, float))
    return jnp.where((x > C_INT_LOW) & (x < C_INT_HIGH), jnp.trunc(x), jnp.nan)


def _efun(x):
    """eion.cpp `efun`: x / (exp(x) - 1), and 1 - x/2 where |x| < 1e-4."""
    if _is_py(x):
        return np.float64(1.0 - x / 2.0) if math.fabs(x) < 1e-4 else np.float64(x / (math.exp(x) - 1.0))
    x = jnp.asarray(x, dtype=jnp.result_type(x, float))
    small = jnp.abs(x) < 1e-4
    safe = jnp.where(small, 1.0, x)
    return jnp.where(small, 1.0 - x / 2.0, safe / (_c_exp(safe) - 1.0))  # eion.cpp calls C's exp, not hoc_Exp


_SQRT_TWO_PI = math.sqrt(6.28318530)  # scopmath's `#define two_pi 6.28318530`


def gauss(x, mean, stddev):
    """scopmath's `gauss(x, mean, stddev)` (src/scopmath/gauss.cpp): the normal density at x. NEURON's
    compiled library computes `pow(y, 2.)` as y*y and calls C's exp (not hoc_Exp): equal to NEURON's on
    20000 random arguments, where glibc's pow differs in 14."""
    if _is_py(x) and _is_py(mean) and _is_py(stddev):
        y = div(float(x) - float(mean), float(stddev))
        return div(np.float64(math.exp(-0.5 * (y * y))), _SQRT_TWO_PI * float(stddev))
    y = (jnp.asarray(x, dtype=jnp.result_type(float)) - mean) / stddev
    return _c_exp(-0.5 * (y * y)) / (_SQRT_TWO_PI * stddev)


def nrn_ghk(v, ci, co, z, celsius):
    """NEURON's `nrn_ghk(v, ci, co, z)` (src/nrnoc/eion.cpp): the GHK current [mA/cm2] per unit
    permeability [cm/s] at v [mV], concentrations [mM], valence z, at NEURON's `celsius` [degC]."""
    temp = z * v / ktf(celsius)
    return 0.001 * z * FARADAY * (ci * _efun(-temp) - co * _efun(temp))
