"""HOC front end: parse and run NEURON's HOC model files into a SectionTree and a protocol.

    model = bridge.load_hoc("init.hoc", mechanisms="mod/")
    model.tree, model.protocol

    hoc = bridge.HocSession(mechanisms="mod/"); hoc.load_file("cell.hoc"); hoc("make_cell(0)")

`from_neuron(h)` reads the same SectionTree from a running NEURON session.
"""

from bridge.hoc.from_neuron import from_neuron
from bridge.hoc.protocol import HocModel, Protocol, Recording, RunRequest
from bridge.hoc.session import HocSession, load_hoc

__all__ = ["load_hoc", "HocSession", "from_neuron", "HocModel", "Protocol", "Recording", "RunRequest"]
