"""Scripts the scale tests run in fresh Python processes (the compilation cache and JAX's device count
are fixed per process). Each prints one JSON line last; they only write where the test's environment says."""

from __future__ import annotations

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# One hh compartment, 5 ms, run once; counts the persistent-cache hits JAX reports.
CACHE_RUN = r"""
import json, jax
hits = []
jax.monitoring.register_event_listener(lambda event, **kw: hits.append(event) if "cache_hits" in event else None)
import bridge
from tests.solver.models import hh_soma
sim = bridge.Simulation(bridge.Model(hh_soma(), tstop=5.0), record=["soma(0.5).v"])
v = sim.run()["soma(0.5).v"]
print(json.dumps({"hits": len(hits), "cache_dir": jax.config.jax_compilation_cache_dir, "v_end": float(v[-1])}))
"""

# A batch of 5 hh somas (gnabar and the stimulus varied), run sharded over all devices; values saved to argv[1].
BATCH_RUN = r"""
import json, sys
import numpy as np
import jax, jax.numpy as jnp
import bridge
from tests.solver.models import hh_soma
sim = bridge.Simulation(bridge.Model(hh_soma(), tstop=15.0), record=["soma(0.5).v", "soma(0.5).m_hh"])
base = sim.params()
g = np.linspace(0.08, 0.16, 5)
amp = np.linspace(0.05, 0.3, 5)
batch = jax.vmap(lambda a, b: sim.set(sim.set(base, "gnabar_hh", a), "amp_IClamp", b))(jnp.asarray(g), jnp.asarray(amp))
traces = sim.run_batch(batch)
np.save(sys.argv[1], np.asarray(traces.values))
print(json.dumps({"devices": len(jax.devices()), "shape": list(np.shape(traces.values))}))
"""


def run_script(script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> dict:
    """Run `script` in a fresh Python with the repository first on the path; its last stdout line as JSON."""
    full = {**os.environ, "PYTHONPATH": ROOT, "JAX_PLATFORMS": "cpu", **(env or {})}
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=full,
                          cwd=ROOT, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])

# BATCH_RUN as process argv[2] of argv[3] under jax.distributed (coordinator 127.0.0.1:argv[4]).
DISTRIBUTED_RUN = r"""
import sys, jax
jax.distributed.initialize(coordinator_address="127.0.0.1:" + sys.argv[4], num_processes=int(sys.argv[3]),
                           process_id=int(sys.argv[2]), initialization_timeout=120)
assert jax.process_count() == int(sys.argv[3]) and len(jax.local_devices()) == 1
""" + BATCH_RUN + r"""
swept = bridge.sweep(sim, {"gnabar_hh": g, "amp_IClamp": [0.05, 0.3]}, sys.argv[5], chunk=4, progress=False)
np.save(sys.argv[1].replace(".npy", "_sweep.npy"), swept.values)
print(__import__("json").dumps({"process": jax.process_index(), "devices": len(jax.devices())}))
"""

# The example cell (examples/cell) lowered, not compiled: the SHA-256 of its program text.
LOWERED_EXAMPLE = r"""
import hashlib, json, jax, bridge
hoc = bridge.load_hoc("examples/cell/init.hoc", mechanisms="examples/cell/mod")
sim = bridge.Simulation(hoc.to_model(), record=["soma(0.5).v"])
text = jax.jit(sim._run).lower(sim.params()).as_text()
print(json.dumps({"sha256": hashlib.sha256(text.encode()).hexdigest()}))
"""
