"""net_send / net_event in generated code: recorded per call site, only from INITIAL and NET_RECEIVE."""

import jax.numpy as jnp
import pytest

from bridge.errors import UnsupportedFeature
from bridge.mechanisms.protocol import Env
from bridge.nmodl.load import load_text


def _mech(text):
    return load_text(text, "m.mod")


def test_net_send_in_a_branch_is_recorded_only_where_taken():
    m = _mech("""NEURON { POINT_PROCESS P RANGE x }
PARAMETER { x = 0 }
ASSIGNED { n }
INITIAL { n = 0 if (x > 0) { net_send(2, 5) } }
NET_RECEIVE(w) { n = n + w net_send(w, flag + 1) net_event(t) }""")
    assert (m.net_send_sites, m.net_event_sites) == (2, 1)
    env = Env(t=jnp.asarray(3.0), dt=0.025, celsius=6.3)
    v = jnp.zeros(2)
    _, _, rec = m.init_events({"x": jnp.array([1.0, -1.0])}, {}, v, {}, env)
    on, t, flag = rec["send"][0]
    assert list(on) == [1.0, 0.0] and float(t[0]) == 5.0 and float(flag[0]) == 5.0
    st, args, rec = m.net_receive_events({"x": jnp.zeros(2)}, {"n": jnp.zeros(2)}, v, {}, env, (jnp.array(0.5),), 2.0)
    assert list(st["n"]) == [0.5, 0.5] and float(rec["send"][1][1][0]) == 3.5 and float(rec["send"][1][2][0]) == 3.0
    assert float(rec["event"][0][0][0]) == 1.0 and float(rec["event"][0][1][0]) == 3.0


@pytest.mark.parametrize("body,what", [("BREAKPOINT { net_send(1, 1) }", r"net_send\(\) outside INITIAL"),
                                       ("INITIAL { net_event(t) }", r"net_event\(\) outside NET_RECEIVE"),
                                       ("INITIAL { net_move(t) }", r"net_move\(\) outside NET_RECEIVE")])
def test_event_calls_elsewhere_are_refused(body, what):
    with pytest.raises(UnsupportedFeature, match=what):
        _mech("NEURON { POINT_PROCESS P }\n" + body + "\nNET_RECEIVE(w) { }")
