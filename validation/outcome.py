"""What one side (bridge or NEURON) produced for a case: traces, geometry, settings, timings.

Both runners return a `RunOutput` so that the comparison is symmetric. The
NEURON subprocess writes one as an `.npz` file (`save` / `load`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SETTINGS = ("tstop", "dt", "v_init", "celsius", "secondorder")
_OWN_ARRAYS = ("roundoff_course", "roundoff_named", "roundoff_states", "rerun_course", "rerun_named", "rerun_states")


@dataclass
class RunOutput:
    """One side's run of a case.

    `t` (nt,) [ms]; `values` (nt, nprobe) in the units of each recording;
    `labels` the probes (`section(x).variable`); `named` the labels the protocol
    asked for (the rest are the per-segment v of `record_all`); `geometry`
    maps a section name to {"area": [um2 per segment], "ri": [MOhm per segment]};
    `settings` the tstop, dt, v_init, celsius and secondorder actually run;
    `stimuli` the default current steps that were added (dicts of IClamp
    fields); `load_seconds` (building the model: HOC, mechanisms) and
    `run_seconds` (initialise and run; for bridge including jit compilation).
    `notes`: what the runner changed in the model's own protocol and why.
    `tree` (bridge side only): the SectionTree, for the error map.
    """

    side: str
    t: np.ndarray
    labels: list[str]
    values: np.ndarray
    named: list[str] = field(default_factory=list)
    geometry: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    settings: dict[str, float] = field(default_factory=dict)
    stimuli: list[dict[str, Any]] = field(default_factory=list)
    load_seconds: float = 0.0
    run_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    tree: Any = None
    # NEURON against itself (NEURON only; validation.roundoff), its run with v one ulp up (`roundoff`) and the
    # same run again (`rerun`): max |run - that run| per label, per sample the largest |run - that run| over
    # the v labels [mV] (`_course`), and that run's traces of the `named` labels (nt, len(named)) (`_named`)
    roundoff: dict[str, float] | None = None
    roundoff_course: np.ndarray | None = None
    roundoff_named: np.ndarray | None = None
    rerun: dict[str, float] | None = None
    rerun_course: np.ndarray | None = None
    rerun_named: np.ndarray | None = None
    # each non-v label's largest |run - that run| so far (the labels' order), at every `own_stride`-th sample
    # (ncheck, nother): NEURON's own difference of the states up to a chaotic run's horizon (validation.compare)
    roundoff_states: np.ndarray | None = None
    rerun_states: np.ndarray | None = None
    own_stride: int = 1
    roundoff_seconds: float = 0.0  # NEURON only: the rerun's and the perturbed run's time (in neither load nor run)
    # each run the model's own HOC made while it loaded (validation.every_run): (t (nt,) [ms], values (nt, len
    # run_labels)) per run, probes `run_labels`
    run_labels: list[str] = field(default_factory=list)
    runs: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    spikes: dict[str, list[float]] = field(default_factory=dict)  # recorded NetCon sources' spike times [ms]

    @property
    def seconds(self) -> float:
        return self.load_seconds + self.run_seconds

    def trace(self, label: str) -> np.ndarray:
        return self.values[:, self.labels.index(label)]

    def save(self, path: str | Path) -> None:
        meta = {"side": self.side, "labels": self.labels, "named": self.named, "geometry": self.geometry,
                "settings": self.settings, "stimuli": self.stimuli, "load_seconds": self.load_seconds,
                "run_seconds": self.run_seconds, "notes": self.notes, "roundoff": self.roundoff,
                "rerun": self.rerun, "roundoff_seconds": self.roundoff_seconds, "own_stride": self.own_stride,
                "run_labels": self.run_labels,
                "spikes": self.spikes}
        runs = {f"run{k}_{part}": np.asarray(a, float) for k, run in enumerate(self.runs)
                for part, a in zip(("t", "values"), run)}
        own = {k: np.asarray(getattr(self, k), float) for k in _OWN_ARRAYS if getattr(self, k) is not None}
        np.savez(path, t=np.asarray(self.t, float), values=np.asarray(self.values, float).reshape(len(self.t), -1),
                 meta=np.array(json.dumps(meta)), nruns=np.array(len(self.runs)), **runs, **own)

    @classmethod
    def load(cls, path: str | Path) -> RunOutput:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            runs = [(data[f"run{k}_t"], data[f"run{k}_values"]) for k in range(int(data["nruns"]))]
            own = {k: data[k] for k in _OWN_ARRAYS if k in data}
            return cls(t=data["t"], values=data["values"], runs=runs, **own, **meta)
