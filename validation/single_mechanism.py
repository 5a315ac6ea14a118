"""Single-mechanism validation: one .mod file, one compartment, bridge against NEURON.

For a density mechanism: a soma (L = diam = 18.8 um) with `pas` (g = 1e-4
S/cm2, e = -65 mV) and the mechanism, driven by an IClamp in two protocols
(depolarising +0.1 nA at 6.3 degC and hyperpolarising -0.1 nA at 16 degC,
2-22 ms, tstop 30 ms, dt 0.025 ms). NEURON runs the file compiled by
nrnivmodl (`validation.neuron_run`, cached by content; a file that defines one
of NEURON's built-in names is compared with NEURON's own), bridge runs its
translation. v and every STATE (and concentrations the mechanism writes) are
compared over the whole run.

Tolerances on max |dV|: 1e-9 mV for cnexp, euler and mechanisms without
ODEs; 1e-6 mV where NEURON itself iterates to a tolerance (derivimplicit,
sparse). STATEs are held to the same numbers relative to their largest |value|.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature

ITERATIVE = ("derivimplicit", "sparse", "steadystate_sparse")


@dataclass(frozen=True)
class Protocol:
    name: str
    amp: float  # [nA]
    celsius: float  # [degC]
    delay: float = 2.0  # [ms]
    dur: float = 20.0  # [ms]
    tstop: float = 30.0  # [ms]
    dt: float = 0.025  # [ms]
    secondorder: int = 0


PROTOCOLS = (Protocol("depolarising", 0.1, 6.3), Protocol("hyperpolarising", -0.1, 16.0))


@dataclass
class Result:
    """Outcome for one file: status is 'pass', 'fail', 'unsupported', 'skipped' or 'error'."""

    path: str
    name: str = ""
    status: str = "error"
    reason: str = ""
    methods: tuple[str, ...] = ()
    tolerance: float = 1e-9
    max_dv: float = float("nan")  # [mV]
    state_errors: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        """One line for the terminal: file, what happened, max |dV|."""
        base = Path(self.path).name
        if self.status in ("pass", "fail"):
            worst = max(self.state_errors.items(), key=lambda kv: kv[1], default=("", 0.0))
            extra = f", worst state {worst[0]} {worst[1]:.2e}" if worst[0] else ""
            note = f" [{self.reason}]" if self.reason else ""
            return (f"{base}: {self.name} translated ({', '.join(self.methods) or 'no ODE'}); "
                    f"max |dV| = {self.max_dv:.2e} mV (tol {self.tolerance:g}){extra}: {self.status.upper()}{note}")
        return f"{base}: {self.status} ({self.reason})"


def _methods(path: Path) -> tuple[str, ...]:
    from bridge.nmodl.analysis.derivatives import cnexp_possible
    from bridge.nmodl.load import analyze_text
    from validation.case import read_mod_text

    info = analyze_text(read_mod_text(path), str(path))
    out = []
    for s in info.breakpoint_solves:
        m = s.method
        if m == "cnexp" and not cnexp_possible(s.block):
            m = "derivimplicit"
        out.append(m)
    for node in __import__("bridge.nmodl.syntax.ast", fromlist=["walk"]).walk(info.program):
        if type(node).__name__ == "Solve" and getattr(node, "steadystate", None):
            out.append(f"steadystate_{node.steadystate}")
    return tuple(dict.fromkeys(out))


def _cell(mech_name: str, protocol: Protocol):
    from bridge.morphology.tree import SectionTree

    tree = SectionTree()
    soma = tree.section("soma", L=18.8, diam=18.8)
    if mech_name != "pas":  # a file that defines pas itself is the leak
        soma.insert("pas", g=1e-4, e=-65.0)
    soma.insert(mech_name)
    tree.add_point_process("IClamp", "soma", 0.5, **{"del": protocol.delay, "dur": protocol.dur, "amp": protocol.amp})
    return tree


def _run_bridge(mech, tree, probes, protocol: Protocol) -> np.ndarray:
    from bridge.model import Model, Simulation

    model = Model(tree, mechanisms={mech.name: mech}, celsius=protocol.celsius, dt=protocol.dt, tstop=protocol.tstop,
                  secondorder=protocol.secondorder)
    sim = Simulation(model, record=probes)
    traces = sim.run(check=False)  # a NaN is compared with NEURON's run like any other value
    return np.asarray(traces.values)


def validate_mod(path: str | Path, protocols: Sequence[Protocol] = PROTOCOLS) -> Result:
    """Translate `path`, run it in bridge and in NEURON, and compare (see module docstring)."""
    from bridge.nmodl.load import load_mod
    from validation.neuron_run import NEURON_BUILTINS, run_neuron

    start = time.perf_counter()
    path = Path(path)
    result = Result(str(path))
    try:
        mech = load_mod(path)
        result.name = mech.name
        result.methods = _methods(path)
    except UnsupportedFeature as exc:
        result.status, result.reason = "unsupported", str(exc).splitlines()[0]
        return result
    except BridgeError as exc:
        result.status, result.reason = "error", str(exc).splitlines()[0]
        return result
    if getattr(mech, "randoms", ()) or getattr(mech, "scop_random", False):
        # the streams are numbered as NEURON numbers them when a HOC model inserts the mechanism
        # (bridge.hoc.randomvars); the SectionTree run here has no such numbering to give them
        what = f"RANDOM {', '.join(mech.randoms)}" if getattr(mech, "randoms", ()) else "scop_random (normrand, ...)"
        result.status = "unsupported"
        result.reason = (f"{mech.name} draws random numbers ({what}): single-mechanism runs have no stream "
                         "numbering; compare it in a HOC model with `bridge validate`")
        return result
    if mech.kind != "density":
        result.status = "skipped"
        result.reason = f"{mech.name} is a point process (single-mechanism runs cover density mechanisms)"
        return result
    result.tolerance = 1e-6 if any(m in ITERATIVE for m in result.methods) else 1e-9
    conc = [w for w in mech.ion_writes if w not in mech.ion_currents and not w.startswith("e")]
    arrays = getattr(mech, "array_sizes", {})
    names = ([("v", "v")] + [(s, f"{s}_{mech.name}") for s in mech.states if s not in arrays]
             + [(c, c) for c in conc])
    mod_files = [] if mech.name in NEURON_BUILTINS else [path]
    worst_v = 0.0
    errors: dict[str, float] = {}
    try:
        for protocol in protocols:
            tree = _cell(mech.name, protocol)
            probes = [("soma", 0.5, var) for _, var in names]
            ours = _run_bridge(mech, tree, [f"soma(0.5).{var}" for _, var in names], protocol)
            _, theirs = run_neuron(tree, probes, mod_files=mod_files, tstop=protocol.tstop, dt=protocol.dt,
                                   celsius=protocol.celsius, secondorder=protocol.secondorder)
            if ours.shape != theirs.shape:  # pragma: no cover - a solver bug
                raise BridgeError(f"{protocol.name}: bridge gave {ours.shape[0]} samples, NEURON {theirs.shape[0]}")
            if np.isnan(theirs[:, 0]).any():
                k = int(np.argmax(np.isnan(theirs[:, 0])))
                result.reason = f"v is NaN in NEURON too from t = {k * protocol.dt:g} ms ({protocol.name})"
            diff = np.abs(ours - theirs)
            diff = np.where(np.isnan(ours) != np.isnan(theirs), np.inf, np.nan_to_num(diff))
            worst_v = max(worst_v, float(diff[:, 0].max()))
            for k, (label, _) in enumerate(names[1:], start=1):
                scale = float(np.nanmax(np.abs(theirs[:, k]))) or 1.0  # relative to the state's size
                errors[label] = max(errors.get(label, 0.0), float(diff[:, k].max()) / scale)
    except Exception as exc:  # noqa: BLE001 - one line per file, whatever went wrong
        if not isinstance(exc, BridgeError):
            result.status = "error"
            result.reason = f"bridge crashed: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
            return result
        text = str(exc)
        if "nrnivmodl failed" in text:  # not a parity target: NEURON itself cannot use the file
            lines = [ln.strip() for ln in text.splitlines()[1:] if ln.strip()]
            why = next((ln for ln in lines if "rror" in ln), lines[-1] if lines else "")
            result.status, result.reason = "skipped", f"NEURON's nrnivmodl refuses the file: {why[:160]}"
        else:
            result.status, result.reason = "error", text.splitlines()[0]
        return result
    result.max_dv = worst_v
    result.state_errors = errors
    ok = worst_v <= result.tolerance and all(e <= result.tolerance for e in errors.values())
    result.status = "pass" if ok else "fail"
    result.seconds = time.perf_counter() - start
    return result


def validate_files(paths: Sequence[str | Path]) -> list[Result]:
    return [validate_mod(p) for p in paths]


def main(paths: Sequence[str]) -> int:
    """`bridge validate-mod FILE.mod...`: one line per file; 0 only when every file passes."""
    ok = True
    for p in paths:
        r = validate_mod(p)
        print(r.line(), flush=True)
        ok &= r.status == "pass"
    return 0 if ok else 1
