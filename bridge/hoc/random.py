"""HOC's `Random` class and the random-number built-ins, draw for draw as NEURON 9.

NEURON (src/ivoc/ivocrand.cpp, src/gnu/Rand.cpp) pairs a generator with a distribution:
`new Random(seed, size)` is the Random123 stream (seed, size = 55, 0) with Normal(0, 1);
`Random123(id1, id2, id3)` and `MCellRan4(seed, ilow)` replace the generator; each distribution
method (`uniform(a, b)`, `normal(mean, variance)`, ...) replaces the distribution and draws once;
`repick()` draws again from the last one. The distributions are libg++'s (src/gnu/*.cpp).
NEURON 9 has no ACG, MLCG or Isaac64 generator (they are unknown methods there too).

Session-wide values that NEURON keeps in C globals live in one `RandomSession` per interpreter:
the Random123 global index, the count of `nrnran123_newstream()` streams (NMODL RANDOM variables
get ids (1, 0, count)), MCellRan4's instance count and mcell_ran4's low index.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bridge.hoc.arguments import number_arg
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import Ref
from bridge.nmodl.streams import mcran4, random123

_MAXUINT = 4294967295.0


@dataclass
class RandomSession:
    """NEURON's process-wide random state, one per HOC session."""

    globalindex: int = 0  # nrnran123.cpp: the key word k[0] of every Random123 stream
    streams: int = 0  # nrnran123_newstream(): the id3 of the last stream made (NMODL RANDOM)
    mcell_count: int = 0  # MCellRan4RNG.cpp cnt_: MCellRan4 generators made
    lowindex: int = 0  # mcran4.cpp: mcell_ran4_init's low index
    use_mcell_ran4: int = 0  # oc_mcran4.cpp: scop_random uses mcell_ran4 when 1
    scop_value: int = 1  # scoprand.cpp: scop_random's value (1 at start), as the last run left it
    scop_from_hoc: bool = False  # HOC called code that drew or seeded since the last run: scop_value is newer
    scop_moved: set = field(default_factory=set)  # ids of drawing point processes an nseg change moved


def session_random(interp) -> RandomSession:
    """The session's `RandomSession` (kept with its `ModelState`)."""
    return model_random(interp.model)


def model_random(model) -> RandomSession:
    """The `RandomSession` of a `ModelState`."""
    return model.random_session


def _chk(interp, args, i, lo, hi, loc, name) -> float:
    """NEURON's chkarg: argument i within [lo, hi], else an error."""
    x = number_arg(interp, args, i, loc, name)
    if not lo <= x <= hi:
        raise interp.error(f"{name}: argument {i + 1} ({x:g}) is out of range [{lo:g}, {hi:g}]", loc)
    return x


# -- generators (src/gnu/NrnRandom123RNG.hpp, MCellRan4RNG.hpp) ----------------------------------

class Random123Gen:
    def __init__(self, state: RandomSession, id1: int, id2: int, id3: int):
        self.session = state
        self.stream = random123.new_stream(id1, id2, id3, state.globalindex)

    def as_double(self) -> float:
        d, self.stream = random123.dblpick(self.stream, self.session.globalindex)
        return d


class MCellRan4Gen:
    def __init__(self, state: RandomSession, ihigh: int, ilow: int):
        self.session = state
        state.mcell_count = (state.mcell_count + 1) & 0xFFFFFFFF
        self.ilow, self.ihigh = ilow, ihigh
        if ihigh == 0:  # MCellRan4::MCellRan4: the instance count, hashed once
            self.ihigh = state.mcell_count
            self.ihigh, _ = self._word()
        self.orig = self.ihigh

    def _word(self) -> tuple[int, int]:
        word, high = mcran4.ran4_int(self.ihigh, self.ilow or self.session.lowindex)
        return word, high

    def as_double(self) -> float:
        d, self.ihigh = mcran4.ran4_double(self.ihigh, self.ilow or self.session.lowindex)
        return d


# -- distributions (libg++, src/gnu) ----------------------------------------------------------

class Normal:
    """Normal(mean, variance): Marsaglia's polar method; the second value of a pair is cached."""

    def __init__(self, mean: float, variance: float):
        self.mean, self.sd = mean, math.sqrt(variance) if variance >= 0 else math.nan
        self.cached: float | None = None

    def unit(self, gen) -> float:
        if self.cached is not None:
            x, self.cached = self.cached, None
            return x
        while True:
            v1 = 2 * gen.as_double() - 1
            v2 = 2 * gen.as_double() - 1
            w = v1 * v1 + v2 * v2
            if w <= 1:
                y = math.sqrt((-2 * math.log(w)) / w) if w > 0 else math.inf
                self.cached = v2 * y
                return v1 * y

    def __call__(self, gen) -> float:
        return self.unit(gen) * self.sd + self.mean


class LogNormal(Normal):
    """LogNormal(mean, variance): pow(e, Normal) with the normal's mean and sd from LogNorm.h setState."""

    def __init__(self, mean: float, variance: float):
        super().__init__(mean, variance)
        m2 = mean * mean
        self.mean = math.log(m2 / math.sqrt(variance + m2))
        self.sd = math.sqrt(math.log((variance + m2) / m2))

    def __call__(self, gen) -> float:
        return math.e ** super().__call__(gen)


def _uniform(low, high):
    lo, hi = (low, high) if low < high else (high, low)
    delta = hi - lo
    return lambda gen: lo + delta * gen.as_double()


def _discunif(low, high):
    lo, hi = (low, high) if low < high else (high, low)
    delta = float(hi - lo + 1)
    return lambda gen: float(lo + int(math.floor(delta * gen.as_double())))


def _negexp(mean):
    return lambda gen: -mean * _log(gen.as_double())


def _log(x: float) -> float:
    return -math.inf if x == 0 else math.log(x)


def _poisson(mean):
    bound = math.exp(-1.0 * mean)

    def draw(gen):
        count, product = 0, 1.0
        while product >= bound:
            count += 1
            product *= gen.as_double()
        return float(count - 1)
    return draw


def _binomial(n, p):
    return lambda gen: float(sum(1 for _ in range(n) if gen.as_double() < p))


def _geometric(mean):
    def draw(gen):
        samples = 1
        while gen.as_double() < mean:
            samples += 1
        return float(samples)
    return draw


def _erlang(mean, variance):
    k = max(int((mean * mean) / variance + 0.5), 1)
    a = k / mean

    def draw(gen):
        prod = 1.0
        for _ in range(k):
            prod *= gen.as_double()
        return -_log(prod) / a
    return draw


def _weibull(alpha, beta):
    inv = 1.0 / alpha
    return lambda gen: (beta * (-_log(1 - gen.as_double()))) ** inv


class Random(BuiltinObject):
    """`new Random([seed [, size]])`: Random123(seed, size, 0) and Normal(0, 1) (src/gnu/Rand.cpp)."""

    holds_hoc_objects = lifetime_relevant = False  # no template object or point process (bridge.hoc.ref_drops)

    cls = "Random"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self.session = session_random(interp)
        seed = int(number_arg(interp, args, 0, loc, "Random")) & 0xFFFFFFFF if args else 0
        size = int(_chk(interp, args, 1, 7, 98, loc, "Random")) if len(args) > 1 else 55
        self.gen: Random123Gen | MCellRan4Gen = Random123Gen(self.session, seed, size, 0)
        self.dist = Normal(0.0, 1.0)

    def _set(self, dist) -> float:
        self.dist = dist
        return float(dist(self.gen))

    def _num(self, interp, args, i, loc, name) -> float:
        return number_arg(interp, args, i, loc, f"Random.{name}")

    def _two(self, interp, args, loc, name) -> tuple[float, float]:
        return self._num(interp, args, 0, loc, name), self._num(interp, args, 1, loc, name)

    # generators
    def m_Random123(self, interp, args, loc):  # noqa: N802  (NEURON's name)
        ids = [int(_chk(interp, args, i, 0, _MAXUINT, loc, "Random.Random123")) if i < len(args) else 0
               for i in range(3)]
        self.gen = Random123Gen(self.session, *ids)
        return 0.0

    def m_Random123_globalindex(self, interp, args, loc):  # noqa: N802
        if args:
            self.session.globalindex = int(_chk(interp, args, 0, 0, _MAXUINT, loc, "Random.Random123_globalindex"))
        return float(self.session.globalindex)

    def m_MCellRan4(self, interp, args, loc):  # noqa: N802
        seed, ilow = (int(_chk(interp, args, i, 0, _MAXUINT, loc, "Random.MCellRan4")) if i < len(args) else 0
                      for i in range(2))
        self.gen = MCellRan4Gen(self.session, seed, ilow)
        return float(self.gen.orig)

    def m_seq(self, interp, args, loc):
        if isinstance(self.gen, Random123Gen):
            if args:
                s = _chk(interp, args, 0, 0, 17179869183.0, loc, "Random.seq")
                seq = int(s / 4.0)
                which = int(s - seq * 4.0)
                self.gen.stream = random123.setseq(self.gen.stream, seq, which, self.session.globalindex)
            seq, which = random123.getseq(self.gen.stream)
            return float(seq) * 4.0 + float(which)
        if args:
            self.gen.ihigh = int(number_arg(interp, args, 0, loc, "Random.seq")) & 0xFFFFFFFF
        return float(self.gen.ihigh)

    def m_repick(self, interp, args, loc):
        return float(self.dist(self.gen))

    # distributions
    def m_uniform(self, interp, args, loc):
        return self._set(_uniform(*self._two(interp, args, loc, "uniform")))

    def m_discunif(self, interp, args, loc):
        lo, hi = (int(self._num(interp, args, i, loc, "discunif")) for i in range(2))
        return self._set(_discunif(lo, hi))

    def m_normal(self, interp, args, loc):  # normal(mean, variance)
        return self._set(Normal(*self._two(interp, args, loc, "normal")))

    def m_lognormal(self, interp, args, loc):
        return self._set(LogNormal(*self._two(interp, args, loc, "lognormal")))

    def m_poisson(self, interp, args, loc):
        return self._set(_poisson(self._num(interp, args, 0, loc, "poisson")))

    def m_binomial(self, interp, args, loc):
        n = int(_chk(interp, args, 0, 0, 1e99, loc, "Random.binomial"))
        if n > interp.limits.max_loop_iterations:
            raise interp.error(f"Random.binomial: n = {n} is over Limits.max_loop_iterations", loc)
        return self._set(_binomial(n, _chk(interp, args, 1, 0, 1, loc, "Random.binomial")))

    def m_geometric(self, interp, args, loc):
        mean = _chk(interp, args, 0, 0, 1, loc, "Random.geometric")
        if mean >= 1:
            raise interp.error("Random.geometric(1) never returns (every draw is below 1)", loc)
        return self._set(_geometric(mean))

    def m_negexp(self, interp, args, loc):
        return self._set(_negexp(self._num(interp, args, 0, loc, "negexp")))

    def m_erlang(self, interp, args, loc):
        return self._set(_erlang(*self._two(interp, args, loc, "erlang")))

    def m_weibull(self, interp, args, loc):
        return self._set(_weibull(*self._two(interp, args, loc, "weibull")))

    def m_hypergeo(self, interp, args, loc):
        raise interp.refuse("Random.hypergeo() is not supported by bridge (libg++ HyperGeometric is not reproduced)",
                            loc)

    def _gone(self, interp, name, loc):
        raise interp.refuse(f"Random.{name}(): NEURON 9 has no {name} generator any more (NEURON 9.0.2 stops on this "
                            "call too); Random123 is its replacement", loc)

    def m_ACG(self, interp, args, loc):  # noqa: N802
        self._gone(interp, "ACG", loc)

    def m_MLCG(self, interp, args, loc):  # noqa: N802
        self._gone(interp, "MLCG", loc)

    def m_Isaac64(self, interp, args, loc):  # noqa: N802
        self._gone(interp, "Isaac64", loc)

    def m_play(self, interp, args, loc):
        raise interp.refuse("Random.play(&var) is not supported by bridge (a new value at every step)", loc)


# -- built-in functions (src/oc/oc_mcran4.cpp) -------------------------------------------------

def _mcell_ran4(interp, args, loc):
    """mcell_ran4(&highindex): a uniform in [0, 1); the index advanced by one."""
    if not args or not isinstance(args[0], Ref):
        raise interp.error("mcell_ran4: argument 1 must be a pointer (&x)", loc)
    high = int(float(args[0].get())) & 0xFFFFFFFF
    x, high = mcran4.ran4_double(high, session_random(interp).lowindex)
    args[0].set(float(high))
    return x


def _mcell_ran4_init(interp, args, loc):
    """mcell_ran4_init([lowindex]): the previous low index."""
    state = session_random(interp)
    prev = float(state.lowindex)
    if args:
        state.lowindex = int(_chk(interp, args, 0, 0, _MAXUINT, loc, "mcell_ran4_init"))
    return prev


def _use_mcell_ran4(interp, args, loc):
    """use_mcell_ran4([0 or 1]): the previous setting (scop_random's generator)."""
    state = session_random(interp)
    prev = float(state.use_mcell_ran4)
    if args:
        state.use_mcell_ran4 = int(_chk(interp, args, 0, 0, 1, loc, "use_mcell_ran4"))
    return prev


def functions() -> dict:
    return {"mcell_ran4": _mcell_ran4, "mcell_ran4_init": _mcell_ran4_init, "use_mcell_ran4": _use_mcell_ran4}


def setrand(interp, vec, args, loc) -> None:
    """Vector.setrand(r[, start, end]): each element r.repick()."""
    if not args or not isinstance(args[0], Random):
        raise interp.error("Vector.setrand: argument 1 must be a Random", loc)
    r = args[0]
    n = len(vec.data)
    start = int(number_arg(interp, args, 1, loc, "Vector.setrand")) if len(args) > 1 else 0
    end = int(number_arg(interp, args, 2, loc, "Vector.setrand")) if len(args) > 2 else n - 1
    if not 0 <= start <= end < n:
        raise interp.error(f"Vector.setrand: indices {start}..{end} are outside the vector (size {n})", loc)
    for i in range(start, end + 1):
        vec.data[i] = float(r.dist(r.gen))
