"""HOC front end: parse and run NEURON's HOC model files into a SectionTree and a protocol.

    model = bridge.load_hoc("init.hoc", mechanisms="mod/")
    model.tree            # SectionTree: sections, pt3d, nseg, mechanisms, point processes
    model.protocol        # celsius, v_init, tstop, dt, stimuli, recordings, globals, runs
    model.simulate()      # bridge's run of what the HOC asked NEURON to run

    hoc = bridge.HocSession(mechanisms="mod/"); hoc.load_file("cell.hoc"); hoc("make_cell(0)")
    hoc.tstop; hoc.soma; hoc.model()

`from_neuron(h)` reads the same SectionTree from a running NEURON session.

Modules, from text to model:

- reading: `source` (checking HOC text), `parse` (grammar/hoc.lark → `ast`), `loader`
  (files, one top-level statement at a time, fscan), `budget` (work and memory bounds);
- running: `interp` (the `Interpreter`: state, dispatch, errors), whose statements are
  `statements` (control flow), `declarations` and `section_statements`, and whose
  expressions are `expressions`; `names` (what a name means: `bindings`), `calls`
  (procedures, `new`), `control` (break/return signals), `values` (variables, references,
  procedures, templates, sections);
- the model: `model_state` (sections, range variables, globals, recordings, runs),
  `section_memory`, `geometry` (pt3d functions, define_shape, area, ri, distance),
  `stdrun` (finitialize/fadvance/continuerun/run), `live` (the simulation they advance),
  `play` (Vector.play), `initstate` (a solver state by HOC names), `runcheck` (the model's
  fingerprint), `protocol`, `catalog` (.mod files);
- NEURON's built-ins: `builtins` (functions), `arguments`, `formatting` (printf),
  `classes` (the class table, CVode, ParallelContext), `objects` (their base),
  `vector`, `lists`, `point_process`, `strings`, `datafiles`, `gui`, `import3d_gui`,
  `pointman` (session files);
- from Python: `session` (`HocSession`, `load_hoc`), `from_neuron`.

Model files are untrusted: no shell, no Python, no file writes, reads only inside
the model folder; work, memory, file size, nesting and call depth are bounded
(`bridge.Limits`).
"""

from bridge.hoc.from_neuron import from_neuron
from bridge.hoc.protocol import HocModel, Protocol, Recording, RunRequest
from bridge.hoc.session import HocSession, load_hoc

__all__ = ["load_hoc", "HocSession", "from_neuron", "HocModel", "Protocol", "Recording", "RunRequest"]
