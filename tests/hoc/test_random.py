"""HOC's `Random` class, `Vector.setrand` and `mcell_ran4` against NEURON 9.0.2: the same HOC file runs in
NEURON (a subprocess) and in a `HocSession`; every draw is printed with %.17g and must be the same text."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import pytest

from bridge.errors import BridgeError
from bridge.hoc.session import HocSession

N = 1000


def _both(tmp_path, text: str) -> tuple[list[str], list[str]]:
    path = tmp_path / "draws.hoc"
    path.write_text(textwrap.dedent(text))
    code = "import sys\nfrom neuron import h\nh.load_file(sys.argv[1])\n"
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out).load_file(path)
    keep = lambda lines: [ln for ln in lines if ln.strip() and not ln.startswith("\t")]  # noqa: E731
    return keep(proc.stdout.splitlines()), keep(out.getvalue().splitlines())


DRAWS = f"""
objref r, vr
proc draws() {{ local i
    for i = 1, {N} printf("%.17g\\n", r.repick())
    printf("seq %.17g\\n", r.seq())
}}
"""


@pytest.mark.neuron
@pytest.mark.parametrize("dist", ["uniform(-2, 3)", "normal(1, 4)", "negexp(2.5)", "discunif(-3, 7)",
                                  "lognormal(2, 0.5)", "poisson(3.5)", "binomial(20, 0.3)", "geometric(0.7)",
                                  "erlang(2, 0.5)", "weibull(1.5, 2)"])
def test_distributions_on_random123_match_neuron(tmp_path, dist):
    """Each distribution, 1000 repicks on Random123(7, 8, 9) after the method's own draw (normal's cached
    second value included), then the stream's sequence."""
    theirs, ours = _both(tmp_path, DRAWS + f"""
    r = new Random()
    x = r.Random123(7, 8, 9)
    printf("%.17g\\n", r.{dist})
    draws()
    """)
    assert len(theirs) == N + 2
    assert ours == theirs


@pytest.mark.neuron
def test_default_generators_seeds_and_globalindex_match_neuron(tmp_path):
    """`new Random()` (Normal(0, 1) on Random123(0, 55, 0)), `new Random(seed, size)`, the global index
    (which changes the key at the next block of four words), `seq` set mid-block, `Vector.setrand`."""
    theirs, ours = _both(tmp_path, DRAWS + """
    r = new Random()
    draws()
    r = new Random(12345, 17)
    x = r.uniform(0, 1)
    draws()
    x = r.Random123_globalindex(77)
    draws()
    x = r.seq(4 * 1000 + 2)
    draws()
    x = r.Random123(1, 2)
    x = r.normal(0, 1)
    vr = new Vector(50)
    vr.setrand(r)
    for i = 0, 49 printf("%.17g\\n", vr.x[i])
    vr.setrand(r, 10, 20)
    for i = 0, 49 printf("%.17g\\n", vr.x[i])
    x = r.Random123_globalindex(0)
    """)
    assert len(theirs) == 4 * (N + 1) + 100
    assert ours == theirs


@pytest.mark.neuron
def test_mcellran4_and_mcell_ran4_match_neuron(tmp_path):
    """MCellRan4(seed), MCellRan4(seed, ilow), MCellRan4() (seeded from the count of MCellRan4s made),
    seq on MCellRan4, mcell_ran4(&index) with mcell_ran4_init's low index."""
    theirs, ours = _both(tmp_path, DRAWS + """
    r = new Random()
    printf("%.17g\\n", r.MCellRan4(123))
    x = r.uniform(0, 1)
    draws()
    printf("%.17g\\n", r.MCellRan4(5, 99))
    x = r.normal(0, 2)
    draws()
    printf("%.17g\\n", r.MCellRan4())
    printf("%.17g\\n", r.MCellRan4())
    x = r.negexp(1)
    x = r.seq(42)
    draws()
    idx = 17
    for i = 1, 20 { printf("%.17g %.17g\\n", mcell_ran4(&idx), idx) }
    printf("%.17g\\n", mcell_ran4_init(3))
    for i = 1, 20 { printf("%.17g %.17g\\n", mcell_ran4(&idx), idx) }
    """)
    assert len(theirs) == 3 * (N + 1) + 4 + 41
    assert ours == theirs


def test_unsupported_random_methods_are_refused(tmp_path):
    """What bridge does not reproduce (hypergeo, play) is a refusal naming the method."""
    for call in ("r.hypergeo(5, 2)", "r.play(&x)", "r.ACG(1)", "r.MLCG(1)", "r.Isaac64(1)"):
        path = tmp_path / "x.hoc"
        path.write_text(f"objref r\nr = new Random()\nx = 0\n{call}\n")
        with pytest.raises(BridgeError, match=call.split("(")[0].replace("r.", "Random.")):
            HocSession(cwd=tmp_path).load_file(path)
