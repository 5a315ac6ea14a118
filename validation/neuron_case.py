"""The NEURON side of a case: a fresh subprocess per run, so NEURON's global state never leaks.

`run_neuron_case(case)` compiles the case's .mod files with nrnivmodl (cached by
content, `validation.neuron_run.compile_mod_files`; files that define one of
NEURON's built-in mechanisms are left out, NEURON's own is used), writes the
case as JSON and runs `python -m validation.neuron_case case.json out.npz`:

- a HOC model: `os.chdir(cwd)`, `load_file(hoc)`, then each statement (a `run()`
  inside the HOC simulates here, as it does for NEURON users; the protocol is
  applied afterwards and run again from `stdinit()`);
- a SectionTree: sections, 3-D points, connections, mechanisms and point
  processes built with `h` (names as in the tree).

Then the protocol's settings and stimuli, the default steps when the model does
not drive itself (no NetCon, and no point process but event targets and
observers such as APCount; `validation.defaults`), the recordings (v at the
soma-like root and at the distal dendrite, every STATE and each ion's inside
concentration and reversal potential at the soma, the protocol's own, and v at
every segment), NEURON's fixed step (a model that turns on CVODE gets it turned
off, with a note: bridge runs the fixed step), `stdinit()` (so stdrun's
`setdt` and a model's own `init()` apply) and `continuerun(tstop)`, recording
every probe with `Vector.record` at each step. The geometry check reads
`seg.area()` and `seg.ri()` of every segment.

This module must not import JAX: the subprocess imports only NEURON, numpy and
`validation.case` / `validation.outcome` / `validation.defaults`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bridge.errors import BridgeError
from bridge.solver.record import parse_point_process_probe, probe_label
from validation import defaults
from validation.case import Case, IClamp, Protocol, mechanism_name, probe_variable, split_probe
from validation.neuron_tree import build_tree, tree_spec
from validation.outcome import RunOutput
from validation.spikes import neuron_sources, neuron_spikes

MAX_VALUES = 2e7  # samples x segments recorded for the whole-cell error (160 MB per side)

NEURON_BUILTINS = frozenset({
    "pas", "hh", "fastpas", "extracellular", "IClamp", "AlphaSynapse", "ExpSyn", "Exp2Syn", "SEClamp",
    "VClamp", "OClamp", "APCount", "NetStim", "IntFire1", "IntFire2", "IntFire4", "PointProcessMark",
    "PatternStim",
})


def neuron_mod_files(case: Case) -> list[Path]:
    """The case's .mod files that nrnivmodl compiles (NEURON's built-in names left out)."""
    return [p for p in case.mod_files() if mechanism_name(p) not in NEURON_BUILTINS]


def run_neuron_case(case: Case, timeout: float | None = None, hoc_recordings: list[str] = (),
                    mod_files: list[Path] | None = None, model_root: Path | None = None,
                    shell_commands: Sequence[str] = ()) -> RunOutput:
    """Run `case` in NEURON in a subprocess; raises BridgeError with NEURON's message on failure.

    `hoc_recordings`: the HOC's own `Vector.record` probes (as bridge read them), recorded too.
    `mod_files`: the .mod files to compile (default: all the case's, `neuron_mod_files`);
    `validation.suite.run_case` passes only those bridge accepted (`validation.preflight`).
    `timeout` [s] (default `case.timeout`): the subprocess and all it started are killed after it.

    NEURON executes whatever the model says and is not sandboxed. The subprocess starts in an empty
    temporary folder, so that neither `import neuron` (which loads a compiled `x86_64/` library from
    the working directory) nor Python's module search sees the model folder, and changes to the
    model's folder only to load its HOC; it reads nothing from the terminal. Its HOC's `system()` runs
    only `shell_commands`, the commands bridge's run answered (`validation.shell_guard`), and it writes only
    into the copy of the model folder below, if any, its temporary folder (`validation.neuron_temp`) and its results
    file (`validation.write_guard`).

    With an output folder (`case.output_dir`), NEURON runs on a copy of `model_root` (default: the case's
    working directory; `validation.preflight.Preflight.model_root`) and the files the model wrote there are
    moved into `case.output_dir/neuron-output/` (emptied first; `validation.output_files`)."""
    from validation import neuron_temp, write_guard
    from validation.neuron_run import compile_mod_files
    from validation.shell_guard import guarded_env

    start = time.perf_counter()
    mods = neuron_mod_files(case) if mod_files is None else list(mod_files)
    libraries = [str(compile_mod_files(mods))] if mods else []
    job = {"hoc": str(case.hoc) if case.hoc is not None else None, "cwd": str(case.cwd) if case.cwd else None,
           "statements": list(case.statements), "libraries": libraries, "hoc_recordings": list(hoc_recordings),
           "tree": tree_spec(case.tree) if case.tree is not None else None, "protocol": case.protocol.to_dict(),
           "roundoff": case.tolerance.roundoff is not None}
    with tempfile.TemporaryDirectory(prefix="bridge-neuron-") as tmp:
        copy = _copy_model(case, job, Path(tmp), model_root)
        src, out = Path(tmp) / "case.json", Path(tmp) / "out.npz"
        src.write_text(json.dumps(job))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                                          os.environ.get("PYTHONPATH")]))}
        env = guarded_env(env, shell_commands)
        # NEURON's temporary files (NetGUI's templates), for a HOC case with an output folder
        temp = neuron_temp.temp_folder(case.output_dir if case.hoc is not None else None)
        env = neuron_temp.temp_env(env, temp)
        # writes only into the copy of the model folder and NEURON's temporary folder (neither without an
        # output folder) and the results file
        env = write_guard.guarded_env(env, ([copy[0]] if copy is not None else []) + ([temp] if temp else []),
                                      [out])
        # -P: the working directory is not put on Python's module path; a session of its own, so that
        # a NEURON past its time is stopped with everything it started
        cmd = [sys.executable, "-P", "-m", "validation.neuron_case", str(src), str(out)]
        timeout = case.timeout if timeout is None else timeout
        proc = _run_stopped_after(cmd, timeout, env=env, cwd=tmp)
        neuron_temp.remove_if_empty(temp)
        if proc is None:
            raise BridgeError(f"NEURON run of case {case.name!r} took longer than {timeout:g} s (--timeout): "
                              "stopped")
        if proc.returncode != 0 or not out.exists():
            text = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
            tail = "\n".join(text[-12:])
            first = first_error(text)  # NEURON's first error (its HOC stack follows it, maybe past the tail)
            if first:
                tail += f"\nNEURON's first error: {first}"
            raise BridgeError(f"NEURON run of case {case.name!r} failed:\n{tail}")
        result = RunOutput.load(out)
        if copy is not None:
            _collect(case, job, copy)
    result.load_seconds = time.perf_counter() - start - result.run_seconds - result.roundoff_seconds
    return result


def first_error(lines: list[str]) -> str | None:
    """NEURON's first error in its stderr `lines`: `NEURON: syntax error in decvec.hoc near line 12` (hoc's
    `hoc_execerror` prints the message, then ` in FILE near line N` on the next line)."""
    for i, line in enumerate(lines[1:], 1):
        if line.lstrip().startswith("in ") and " near line " in line:
            return f"{lines[i - 1].strip()} {line.strip()}"
    return None


def _run_stopped_after(cmd: list[str], timeout: float, **kwargs) -> subprocess.CompletedProcess | None:
    """Run `cmd` in a session of its own; None when it ran past `timeout` [s] (its whole process group is
    then killed and waited for)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return None
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


def _copy_model(case: Case, job: dict, tmp: Path, model_root: Path | None):
    """With an output folder: copy the model folder into `tmp/model/`, point `job` at the copy, and return
    (copy, root, manifest); else None."""
    if case.output_dir is None or case.hoc is None:
        return None
    from validation.output_files import copy_model_folder

    root = Path(model_root if model_root is not None else case.cwd).resolve()
    copy = tmp / "model"
    manifest = copy_model_folder(root, copy)
    for key in ("hoc", "cwd"):
        try:
            job[key] = str(copy / Path(job[key]).resolve().relative_to(root))
        except ValueError:
            raise BridgeError(f"{job[key]} is not inside {root}, the model folder NEURON runs a copy of") from None
    return copy, manifest


def _collect(case: Case, job: dict, copied) -> None:
    """Move the files NEURON wrote in the copy into `case.output_dir/neuron-output/` (emptied first)."""
    import shutil

    from validation.output_files import NEURON_OUTPUT, collect_written

    copy, manifest = copied
    dest = Path(case.output_dir) / NEURON_OUTPUT
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    collect_written(copy, manifest, Path(job["cwd"]), dest)


# ---------------------------------------------------------------------------------------------
# Inside the subprocess.

class _Fail(Exception):
    pass


# Point processes that only observe: they do not make a protocol.
_OBSERVERS = frozenset({"APCount", "PointProcessMark"})


def _has_stimulus(h) -> bool:
    """Whether the model drives itself: a NetCon, or an instance of a point process that is not an event
    target (a synapse without a NetCon, a NetStim without one, changes nothing) nor an observer, or fstim's
    stimuli."""
    if int(h.List("NetCon").count()) > 0:
        return True
    if h.execute1("{fstimi(0)}", 0):  # fstim.cpp: fstimi's chkarg fails unless fstim(n) allocated stimuli
        return True
    mt = h.MechanismType(1)
    name = _HREF[0]("")
    for i in range(int(mt.count())):
        mt.select(i)
        mt.selected(name)
        if name[0] in _OBSERVERS or mt.is_netcon_target(i):
            continue
        if int(h.List(name[0]).count()) > 0:
            return True
    return False


def _section_infos(h) -> list[tuple]:
    out = []
    for sec in h.allsec():
        ref = h.SectionRef(sec=sec)
        parent = ref.trueparent if ref.has_trueparent() else None
        px = sec.parentseg().x if sec.parentseg() is not None else 0.0
        out.append((sec.name(), parent.name() if parent is not None else None, float(px), float(sec.L)))
    return out


def _state_probes(h, name: str, segment) -> tuple[list[str], list[str]]:
    """Every scalar STATE of the mechanisms in `segment` (MechanismStandard vartype 3), and each ion's
    inside concentration and reversal potential there; and a note naming the array STATEs left out."""
    out, arrays = [], []
    for mech in segment:
        mname = mech.name()
        if mname.endswith("_ion"):
            ion = mname[:-4]
            out += [probe_label(name, 0.5, f"{ion}i"), probe_label(name, 0.5, f"e{ion}")]
            continue
        ms = h.MechanismStandard(mname, 3)
        ref = _HREF[0]("")
        for i in range(int(ms.count())):
            size = int(ms.name(ref, i))
            if size == 1:
                out.append(probe_label(name, 0.5, ref[0]))
            else:
                arrays.append(f"{ref[0]}[{size}]")
    notes = [f"array STATEs not compared (recordings take scalars): {', '.join(arrays)}"] if arrays else []
    return out, notes


# h.ref as NEURON gives it, kept before the model runs: a model's own HOC name `ref` hides it (ModelDB 118098)
_HREF: list = []


def _run(job: dict, out_path: str) -> None:
    """Build the job's model in NEURON, apply its protocol, run it and save the recordings to `out_path`."""
    from neuron import h

    _HREF[:] = [h.ref]
    for lib in job["libraries"]:
        if not h.nrn_load_dll(lib):
            raise _Fail(f"cannot load {lib}")
    h.load_file("stdrun.hoc")
    protocol = Protocol.from_dict(job["protocol"])
    start = time.perf_counter()
    keep, model_tstop = _load_model(h, job)
    secs = {s.name(): s for s in h.allsec()}
    if not secs:
        raise _Fail("the model has no sections")

    def seg(name: str, x: float):
        if name not in secs:
            raise _Fail(f"no section {name!r} in NEURON (sections: {', '.join(list(secs)[:12])}...)")
        return secs[name](x)

    stimuli = list(protocol.stimuli)
    added: list = []
    defaults_apply = protocol.default_steps and not stimuli and not _has_stimulus(h)
    tstop = defaults.tstop_for(protocol.tstop, model_tstop, defaults_apply)
    infos = _section_infos(h)
    soma = defaults.soma_like(infos)
    if defaults_apply:
        added = defaults.steps(soma, tstop)
        stimuli += [IClamp(**s) for s in added]
    named, labels, notes = _probes(h, job, protocol, secs, infos, soma, seg, tstop)
    for st in stimuli:
        obj = h.IClamp(seg(st.section, st.x))
        obj.delay, obj.dur, obj.amp = st.delay, st.dur, st.amp
        keep.append(obj)
    notes += _LOAD_NOTES + _apply_settings(h, protocol, tstop)
    vecs = [h.Vector().record(_reference(h, label, seg, job)) for label in labels]
    tvec = h.Vector().record(h._ref_t)
    spike_sources = neuron_sources(h)  # the recorded NetCon sources (validation.spikes)
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    h.stdinit()
    h.continuerun(tstop)
    run_seconds = time.perf_counter() - start
    spikes = neuron_spikes(spike_sources)
    values = np.array([np.array(v) for v in vecs]).T.reshape(len(tvec), -1)
    t = np.array(tvec)
    start = time.perf_counter()
    own = _own_runs(h, vecs, labels, named, values, tstop) if job.get("roundoff") else None
    roundoff_seconds = time.perf_counter() - start
    geometry = {name: {"area": [float(sg.area()) for sg in sec], "ri": [float(sg.ri()) for sg in sec]}
                for name, sec in secs.items()}
    # v_init: the v the run started from at the soma (a model's own init() may call finitialize(Vrest))
    v0 = float(values[0, 0]) if values.size else float(h.v_init)
    settings = {"tstop": tstop, "dt": float(h.dt), "v_init": v0, "celsius": float(h.celsius),
                "secondorder": int(h.secondorder)}
    hoc_runs = _RUNS[0] if _RUNS else None
    out = RunOutput("NEURON", t, labels, values, named=named, geometry=geometry, settings=settings, stimuli=added,
                    load_seconds=load_seconds, run_seconds=run_seconds, notes=notes,
                    roundoff_seconds=roundoff_seconds, **(own or {}), run_labels=hoc_runs.labels if hoc_runs else [],
                    runs=hoc_runs.runs if hoc_runs else [], spikes=spikes)
    out.save(out_path)


OWN_CHECKPOINTS = 4000  # NEURON's own difference of each state is kept at this many samples at most (_own_runs)
ROUNDOFF_NUDGES = 1000  # the round-off run nudges v at most this many times, at least 1 ms apart


def _own_runs(h, vecs, labels: list[str], named: list[str], first: np.ndarray, tstop: float) -> dict:
    """NEURON against itself (`validation.roundoff`), as RunOutput's fields: the run again unperturbed
    (`rerun`: max |first - rerun| per label; `rerun_course`: per sample, the largest |first - rerun| over the
    v labels; `rerun_named`: its traces of the `named` labels; `rerun_states`: each other label's largest
    |first - rerun| so far at every `own_stride`-th sample, for a chaotic run's horizon) and again with v one
    ulp up (`roundoff`, `roundoff_course`, `roundoff_named`, `roundoff_states` likewise)."""
    volts = [k for k, label in enumerate(labels) if probe_variable(label) == "v"]
    others = [k for k, label in enumerate(labels) if probe_variable(label) != "v"]
    picked = [labels.index(n) for n in named]
    stride = max(1, -(-len(first) // OWN_CHECKPOINTS))

    def fields(again: np.ndarray, prefix: str) -> dict:
        if again.shape != first.shape:
            course, traces = np.full(len(first), np.inf), np.full((len(first), len(named)), np.nan)
            states = np.full((len(range(0, len(first), stride)), len(others)), np.inf)
        else:
            course, traces = np.max(_abs_diff(first[:, volts], again[:, volts]), axis=1, initial=0.0), again[:, picked]
            diff = _abs_diff(first[:, others], again[:, others])
            states = np.maximum.accumulate(diff, axis=0)[::stride] if len(diff) else diff
        return {prefix: _max_diff(first, again, labels), f"{prefix}_course": course, f"{prefix}_named": traces,
                f"{prefix}_states": states}

    h.stdinit()
    h.continuerun(tstop)
    own = fields(_samples(vecs, labels), "rerun")
    _perturbed_run(h, tstop)
    return {**own, **fields(_samples(vecs, labels), "roundoff"), "own_stride": stride}


def _samples(vecs, labels: list[str]) -> np.ndarray:
    return np.array([np.array(v) for v in vecs]).T.reshape(-1, len(labels))


def _abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b|, inf where only one is NaN."""
    bad = np.isnan(a) != np.isnan(b)
    return np.where(bad, np.inf, np.abs(np.nan_to_num(a - b)))


def _max_diff(first: np.ndarray, second: np.ndarray, labels: list[str]) -> dict[str, float]:
    """max |first - second| per label (inf for every label where the sample counts differ)."""
    if second.shape != first.shape:
        return dict.fromkeys(labels, float("inf"))
    diff = _abs_diff(first, second)
    return {label: float(np.max(diff[:, k], initial=0.0)) for k, label in enumerate(labels)}


def _perturbed_run(h, tstop: float) -> None:
    """The run again with v one ulp higher on every node after stdinit() and again every `_nudge_interval`
    ms. One nudge at the start alone is lost in a model that rests exactly (its v a fixed point to the last
    bit) until a stimulus starts: the difference then dies out within a few steps, while bridge's round-off
    (C's libm against XLA's, from the first step) is still there when the stimulus comes. stdrun's
    continuerun runs the steps, piece by piece (the same fadvance calls as one continuerun)."""
    h.stdinit()
    _nudge_v(h)
    interval = _nudge_interval(tstop)
    end = tstop - float(h.dt) / 2  # stdrun's continuerun(tstop) steps while t < tstop - dt/2
    while h.t < end:
        before = float(h.t)
        h.continuerun(min(before + interval, tstop))
        if h.t <= before:  # the model stopped the run (stoprun)
            break
        if h.t < end:
            _nudge_v(h)


def _nudge_interval(tstop: float) -> float:
    """[ms] between two nudges of the round-off run: 1 ms, or tstop / ROUNDOFF_NUDGES on long runs."""
    return max(1.0, tstop / ROUNDOFF_NUDGES)


def _nudge_v(h) -> None:
    """v one ulp higher on every node."""
    for sec in h.allsec():
        for seg in sec.allseg():
            seg.v = float(np.nextafter(seg.v, np.inf))


def _load_model(h, job: dict) -> tuple[list, float]:
    """Run the job's HOC file and statements, or build its SectionTree; returns the Python objects to
    keep alive (Python-made sections live while referenced) and the model's own tstop [ms]."""
    if not job["hoc"]:
        return [build_tree(h, job["tree"])], defaults.NEURON_TSTOP
    from validation.neuron_cvode import LoadFixedStep

    os.chdir(job["cwd"])
    runs = _HocRuns(h)
    handler = h.FInitializeHandler(3, runs.finitialize)
    fixed = LoadFixedStep(h)  # the model's own runs at the fixed step, should it turn on CVODE
    fixed_handler = h.FInitializeHandler(3, fixed.finitialize)
    if not h.load_file(1, job["hoc"]):
        raise _Fail(f"load_file({job['hoc']!r}) failed")
    for stmt in job["statements"]:
        if not h(stmt):
            raise _Fail(f"HOC statement failed: {stmt}")
    runs.finish()
    fixed.finish()
    _RUNS[:] = [runs]
    _LOAD_NOTES[:] = fixed.notes()
    return [handler, fixed_handler], float(h.tstop)


_RUNS: list = []  # the _HocRuns of the model just loaded
_LOAD_NOTES: list[str] = []  # what NEURON's side changed while the model loaded (validation.neuron_cvode)


class _HocRuns:
    """Each run the model's HOC makes while it loads (a run: from one finitialize() to the next, or to the end of
    the HOC; a run with no step after its finitialize() is left out, as bridge leaves it out). The probes (v at the
    soma-like root and at the distal end, `run_labels`) are recorded with Vector.record from the first finitialize()
    that has sections; an FInitializeHandler of type 3 runs at the start of finitialize(), before NEURON empties the
    recorded Vectors (fadvance.cpp nrn_finitialize: nrn_fihexec(3) comes first), and keeps a copy of the last run."""

    def __init__(self, h):
        self.h = h
        self.labels: list[str] = []
        self.vecs: list = []
        self.tvec = None
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.active = True

    def finitialize(self) -> None:
        if not self.active:
            return
        self._keep()
        if self.tvec is None:
            self._start()

    def _start(self) -> None:
        h = self.h
        infos = _section_infos(h)
        if not infos:
            return
        secs = {s.name(): s for s in h.allsec()}
        soma = defaults.soma_like(infos)
        far = defaults.distal(infos, soma)
        self.labels = [probe_label(soma, 0.5)]
        if far != soma:
            self.labels.append(probe_label(far, 1.0 - 0.5 / int(secs[far].nseg)))
        self.vecs = [h.Vector().record(getattr(secs[name](x), "_ref_" + var))
                     for name, x, var in map(split_probe, self.labels)]
        self.tvec = h.Vector().record(h._ref_t)

    def _keep(self) -> None:
        if self.tvec is not None and len(self.tvec) > 1 and all(len(v) == len(self.tvec) for v in self.vecs):
            self.runs.append((np.array(self.tvec), np.array([np.array(v) for v in self.vecs]).T))

    def finish(self) -> None:
        """The last run is kept; the runs the validation makes afterwards are not the model's."""
        self._keep()
        self.active = False


def _probes(h, job: dict, protocol: Protocol, secs: dict, infos, soma: str, seg, tstop: float):
    """What to record: the named probes (soma, the most distal segment, the protocol's, the HOC's own
    Vector.record and, when asked, the soma's states), all labels (v at every segment when the run is
    small enough) and notes for the report."""
    far = defaults.distal(infos, soma)
    nseg = int(secs[far].nseg)
    distal = [probe_label(far, 1.0 - 0.5 / nseg)] if far != soma else []
    named = list(protocol.recordings) + list(job.get("hoc_recordings", []))
    named = list(dict.fromkeys([probe_label(soma, 0.5), *distal, *named]))
    notes: list[str] = []
    if protocol.record_states:
        states, notes = _state_probes(h, soma, seg(soma, 0.5))
        named = list(dict.fromkeys(named + states))
    labels = list(named)
    nseg_total = sum(int(s.nseg) for s in secs.values())
    nsamples = tstop / (protocol.dt if protocol.dt is not None else float(h.dt)) + 1
    if protocol.record_all and nseg_total <= protocol.max_segments and nseg_total * nsamples <= MAX_VALUES:
        labels += [probe_label(name, (j + 0.5) / int(sec.nseg)) for name, sec in secs.items()
                   for j in range(int(sec.nseg))]
    elif protocol.record_all:
        notes.append(f"v not recorded at every segment: {nseg_total} segments x {nsamples:.0f} samples is more "
                     f"than max_segments = {protocol.max_segments} or {MAX_VALUES:.0e} values")
    return named, list(dict.fromkeys(labels)), notes


def _apply_settings(h, protocol: Protocol, tstop: float) -> list[str]:
    """The fixed step, then the protocol's dt, v_init, celsius, secondorder and globals, and tstop;
    returns notes."""
    notes = _fixed_step(h)
    if protocol.dt is not None:
        h.dt = protocol.dt
        h.steps_per_ms = 1.0 / protocol.dt
    for name in ("v_init", "celsius", "secondorder"):
        if getattr(protocol, name) is not None:
            setattr(h, name, getattr(protocol, name))
    for name, val in protocol.globals.items():
        setattr(h, name, val)
    h.tstop = tstop
    return notes


def setdt(dt: float, steps_per_ms: float) -> float:
    """stdrun.hoc's `setdt`: dt [ms] divided into whole steps of 1/steps_per_ms."""
    big = 1.0 / steps_per_ms
    n = max(int(big / dt), 1)
    return big / n if abs(dt * n * steps_per_ms - 1.0) > 1e-6 else dt


def _fixed_step(h) -> list[str]:
    """Turn CVODE off, keeping the model's dt: stdrun's `cvode_active(0)` (varmeth1.hoc `isvar`, `sdt(0)`)
    would put back the dt saved when CVODE was turned on (0.025 ms for a model that sets dt after
    `cvode_active(1)`). Both sides then run the fixed step at that dt after stdrun's `setdt`."""
    if not h.CVode().active():
        return []
    dt = float(h.dt)
    h.cvode_active(0)  # stdrun's own proc: its using_cvode_ flag decides how continuerun stops
    h.dt = dt
    fixed = setdt(dt, float(h.steps_per_ms))
    return [f"the model turns on CVODE (variable step); the comparison is NEURON's fixed step on both sides, "
            f"at the model's dt = {dt:g} ms (after stdrun's setdt with steps_per_ms = {float(h.steps_per_ms):g}: "
            f"{fixed:g} ms)"]


def _reference(h, label: str, seg, job: dict):
    """NEURON's pointer to what the probe `label` records."""
    pp = parse_point_process_probe(label)
    try:
        if pp is not None:  # "SEClamp[0].i": HOC's object of that name
            return getattr(getattr(h, pp[0])[pp[1]], "_ref_" + pp[2])
        name, x, var = split_probe(label)
        return getattr(seg(name, x), "_ref_" + var)
    except (AttributeError, NameError, LookupError) as exc:
        whose = " (a Vector.record of the HOC, as bridge read it)" if label in job.get("hoc_recordings", []) else ""
        raise _Fail(f"cannot record {label}{whose}: {exc}") from None


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m validation.neuron_case case.json out.npz", file=sys.stderr)
        return 2
    job = json.loads(Path(argv[0]).read_text())
    out_path = str(Path(argv[1]).resolve())
    try:
        _run(job, out_path)
    except _Fail as exc:
        print(f"NEURON: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:  # hoc errors surface as RuntimeError
        print(f"NEURON: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
