"""bridge.nmodl.runtime.random123 against NEURON 9's nrnran123 (HOC `Random.Random123` streams).

NEURON prints each draw with %.17g; bridge's Python path must give the same doubles exactly, and the
jitted path (float64 stream state, as mechanisms carry it) the same words and uniforms exactly.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import bridge.solver  # noqa: F401  (turns on float64 in JAX, as every run does)
from bridge.nmodl.runtime import random123 as R

N = 1200


def neuron_lines(tmp_path, hoc: str) -> list[str]:
    """Run HOC text in real NEURON (a subprocess) and return what it printed (without the tab-led
    values that HOC echoes for top-level function calls)."""
    path = tmp_path / "draws.hoc"
    path.write_text(textwrap.dedent(hoc))
    code = "import sys\nfrom neuron import h\nh.load_file(sys.argv[1])\n"
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [ln for ln in proc.stdout.splitlines() if ln.strip() and not ln.startswith("\t")]


def _draws(stream, gix, n, kind):
    out = []
    for _ in range(n):
        if kind == "uniform":
            x, stream = R.uniform(stream, gix)
        elif kind == "negexp":
            x, stream = R.negexp(stream, gix)
        else:
            x, stream = R.normal(stream, gix)
        out.append(x)
    return out, stream


@pytest.mark.neuron
def test_philox_words_and_doubles_match_neuron(tmp_path):
    """uniform(0, 1) of HOC's Random123 is nrnran123_dblpick; ids of all sizes, a global index, a sequence
    set to a `which` inside a block, and sequence 2^32 - 1 (the counter carries into id3)."""
    cases = [(1, 2, 3, 0, 0), (0, 0, 0, 0, 0), (4294967295, 7, 99, 0, 5), (12, 34, 56, 7, 17179869182),
             (3, 0, 0, 123456, 17179869180)]
    hoc = "objref r\nr = new Random()\n"
    for id1, id2, id3, gix, seq in cases:
        hoc += f"""x = r.Random123_globalindex({gix})
        x = r.Random123({id1}, {id2}, {id3})
        x = r.seq({seq})
        for i = 1, {N} printf("%.17g\\n", r.uniform(0, 1))
        printf("seq %.17g\\n", r.seq())
        """
    lines = neuron_lines(tmp_path, hoc)
    assert len(lines) == len(cases) * (N + 1)
    for k, (id1, id2, id3, gix, seq) in enumerate(cases):
        block = lines[k * (N + 1):(k + 1) * (N + 1)]
        s = R.setseq(R.new_stream(id1, id2, id3, gix), seq // 4, seq % 4, gix)
        ours, s = _draws(s, gix, N, "uniform")
        assert [f"{x:.17g}" for x in ours] == block[:N], (id1, id2, id3, gix, seq)
        c0, which = R.getseq(s)
        assert block[N] == f"seq {c0 * 4 + which:.17g}"


@pytest.mark.neuron
def test_negexp_and_normal_match_neuron_bit_for_bit(tmp_path):
    """HOC's negexp(1) is -log(dblpick) (libg++ NegativeExpntl) as nrnran123_negexp; a fresh HOC
    normal(0, 1) (libg++ Normal, its cached second value dropped) is nrnran123_normal."""
    hoc = """objref r
    r = new Random()
    x = r.Random123(5, 6, 7)
    for i = 1, 1200 printf("%.17g\\n", r.negexp(1))
    x = r.Random123(8, 9, 10)
    for i = 1, 1200 printf("%.17g\\n", r.normal(0, 1))
    """
    lines = neuron_lines(tmp_path, hoc)
    exp_ours, _ = _draws(R.new_stream(5, 6, 7), 0, 1200, "negexp")
    assert [f"{x:.17g}" for x in exp_ours] == lines[:1200]
    theirs = lines[1200:]
    norm_ours, _ = _draws(R.new_stream(8, 9, 10), 0, len(theirs), "normal")
    assert [f"{x:.17g}" for x in norm_ours] == theirs


def test_jitted_streams_give_the_python_words_and_uniforms():
    """Three instances draw at once in a jitted function on float64 state; the words, uniforms and the
    stream state equal the Python path, through a counter carry; logs are XLA's (within 64 ulp)."""
    gix = 11
    starts = [R.setseq(R.new_stream(*ids, gix=gix), seq, w, gix)
              for ids, seq, w in (((1, 2, 3), 0, 0), ((9, 9, 9), 4294967295, 2), ((0, 0, 4294967295), 5, 3))]
    state = tuple(jnp.array([float(s[i]) for s in starts]) for i in range(9))

    @jax.jit
    def step(st):
        u, st = R.uniform(st, gix)
        e, st = R.negexp(st, gix, 2.0)
        n, st = R.normal(st, gix, 1.0, 0.5)
        return (u, e, n), st

    py = list(starts)
    for _ in range(200):
        (u, e, n), state = step(state)
        for k in range(3):
            uk, py[k] = R.uniform(py[k], gix)
            ek, py[k] = R.negexp(py[k], gix, 2.0)
            nk, py[k] = R.normal(py[k], gix, 1.0, 0.5)
            assert float(u[k]) == uk
            assert abs(float(e[k]) - ek) <= 64 * np.spacing(ek)
            assert abs(float(n[k]) - nk) <= 64 * np.spacing(max(abs(nk), 1.0))
            assert tuple(int(x[k]) for x in state) == py[k]


def test_setseq4which_and_ids():
    """nrnran123_setseq(double): seq*4 + which, out-of-range values give 0; setids keeps the sequence."""
    s = R.setseq4which(R.new_stream(1), 4 * 10 + 3, 0)
    assert R.getseq(s) == (10, 3)
    assert R.getseq(R.setseq4which(s, -5.0, 0)) == (0, 0)
    assert R.getseq(R.setseq4which(s, 2.0 ** 41, 0)) == (0, 0)
    t = R.setids(s, 7, 8, 9)
    assert R.getids(t) == (7, 8, 9) and R.getseq(t) == (10, 3)
