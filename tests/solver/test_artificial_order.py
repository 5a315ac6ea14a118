"""The ARTIFICIAL_CELL types in NEURON's type order (fadvance.cpp nrn_finitialize runs their INITIAL, and queues
their net_sends, in memb_order_): NEURON's built-ins first, then the model's types in nrnivmodl's file order, bridge's
VecStim where the model's vecevent.mod sorts among them."""

from types import SimpleNamespace

from bridge.solver.event_plan import _artificial_order


def _mechs(**files):
    return {name: SimpleNamespace(source_file=f"/m/{f}" if f else None) for name, f in files.items()}


def test_model_types_in_file_order_not_creation_order():
    mechs = _mechs(Zeta="a_zeta.mod", Alpha="b_alpha.mod", NetStim=None)
    assert _artificial_order(["Alpha", "NetStim", "Zeta"], mechs, None) == ["NetStim", "Zeta", "Alpha"]


def test_vecstim_where_vecevent_mod_sorts():
    mechs = _mechs(VecStim=None, Early="burst.mod", Late="wave.mod", IntFire1=None)
    got = _artificial_order(["Late", "VecStim", "IntFire1", "Early"], mechs, None)
    assert got == ["IntFire1", "Early", "VecStim", "Late"]


def test_an_explicit_order_wins():
    mechs = _mechs(A="a.mod", B="b.mod")
    assert _artificial_order(["A", "B"], mechs, ["B", "A"]) == ["B", "A"]
