"""HOC front end: parse and run NEURON's HOC model files into a SectionTree and a protocol.

    model = bridge.load_hoc("init.hoc", mechanisms="mod/")
    model.tree            # SectionTree: sections, pt3d, nseg, mechanisms, point processes
    model.protocol        # celsius, v_init, tstop, dt, stimuli, recordings, globals, runs
    model.simulate()      # bridge's run of what the HOC asked NEURON to run

    hoc = bridge.HocSession(mechanisms="mod/"); hoc.load_file("cell.hoc"); hoc("make_cell(0)")
    hoc.tstop; hoc.soma; hoc.model()

`from_neuron(h)` reads the same SectionTree from a running NEURON session.

Modules: `parse` (grammar/hoc.lark → `ast`), `interp` (statements, expressions),
`resolve` (names, references, calls, objects), `cable` (section statements),
`sections` (the model state: sections, range variables, pt3d bookkeeping), `geometry`
(pt3d functions, define_shape, area, ri, distance), `builtins`/`objects` (NEURON's
functions and classes), `stdrun` (run/init record the protocol), `loader` (files,
fscan), `source` (reading and checking HOC text), `budget` (work and memory bounds),
`import3d`, `pointman` (session files), `catalog` (.mod files), `protocol`, `session`,
`from_neuron`.

Model files are untrusted: no shell, no Python, no file writes, reads only inside
the model folder; work, memory, file size, nesting and call depth are bounded
(`bridge.Limits`).
"""

from bridge.hoc.from_neuron import from_neuron
from bridge.hoc.protocol import HocModel, Protocol, Recording, RunRequest
from bridge.hoc.session import HocSession, load_hoc

__all__ = ["load_hoc", "HocSession", "from_neuron", "HocModel", "Protocol", "Recording", "RunRequest"]
