"""NEURON's runs of a model whose own HOC turns on CVODE while it loads: run at the fixed step, as bridge runs them.

bridge runs only NEURON's fixed step (a model's `cvode_active(1)`, `cvode.active(1)` or NumericalMethodPanel
choice is recorded, `Protocol.cvode`, and the run stays fixed-step). A model that turns CVODE on and calls `run()`
while it loads (ModelDB 33975: `cvode_active(1)  run()  cvode_local(1)  run()`) would make variable-step runs in
NEURON, with other sample times than bridge's, and each run is compared (`validation.every_run`). So NEURON's side
makes them fixed-step too: `LoadFixedStep.finitialize`, an FInitializeHandler of type 3 (it runs first in
finitialize(), fadvance.cpp `nrn_finitialize`: `nrn_fihexec(3)`, before CVODE or the fixed step is set up),
turns CVODE off with stdrun's `cvode_active(0)` (NumericalMethodPanel `varstep(0)`, varmeth1.hoc `isvar`:
`cvode.active(0)` and stdrun's `using_cvode_ = 0`, so that continuerun steps as the fixed step does), keeps the
model's dt (`isvar`'s `sdt(0)` would put back the dt saved when CVODE was turned on) and, when stdrun's
`using_cvode_` was on, applies stdrun's `setdt()`, which stdinit() skipped for it (stdrun.hoc `setdt`: `if
(using_cvode_) return`) and which bridge's stdinit applies. A model that never turns CVODE on is not touched.

CVODE turned on after finitialize() (`finitialize(-65)  cvode.active(1)  continuerun(10)`) escapes that handler:
NEURON's run is then variable-step, bridge's fixed-step, and the two cannot agree (the run's sample counts
differ: a FAIL). NEURON gives no hook there, so it is found afterwards and said in a note: at the next
finitialize() or at the end of the load, CVODE on and dt no longer the dt the run started with (CVODE's
steps set dt: cvodeobj.cpp) mean that the run since the last finitialize() was variable-step.

Runs in NEURON's subprocess (`validation.neuron_case`): imports nothing but the standard library.
"""

from __future__ import annotations


class LoadFixedStep:
    """The FInitializeHandler's callback while the model's HOC loads; `notes()` for the report."""

    def __init__(self, h):
        self.h = h
        self.cvode = h.CVode()  # NEURON's one CVODE state, whatever the model names its `cvode`
        self.runs = 0  # the finitialize() calls that found CVODE on
        self.dts: list[float] = []  # dt [ms] of those runs, after setdt
        self.dt_started: float | None = None  # dt [ms] at the last finitialize()
        self.variable = 0  # runs CVODE made, turned on after their finitialize() (the module's docstring)
        self.active = True

    def finitialize(self) -> None:
        """At the start of each finitialize() while the model loads: CVODE off, the model's dt kept."""
        h = self.h
        if not self.active:
            return
        self._count_variable_run()
        if not self.cvode.active():
            self.dt_started = float(h.dt)
            return
        dt = float(h.dt)
        stdrun_cvode = float(h.using_cvode_) != 0
        h.cvode_active(0)  # stdrun.hoc cvode_active -> varmeth1.hoc varstep(0) -> isvar()
        h.dt = dt
        if stdrun_cvode:  # stdinit() skipped setdt for the variable step; the fixed step's run applies it
            h.setdt()
        self.runs += 1
        self.dts.append(float(h.dt))
        self.dt_started = float(h.dt)

    def _count_variable_run(self) -> None:
        """The run since the last finitialize() was CVODE's: CVODE is on now and dt is not what the run began with."""
        if self.dt_started is not None and self.cvode.active() and float(self.h.dt) != self.dt_started:
            self.variable += 1
        self.dt_started = None

    def finish(self) -> None:
        if self.active:
            self._count_variable_run()
        self.active = False

    def notes(self) -> list[str]:
        out = []
        if self.variable:
            out.append(f"the model's HOC turned on CVODE (variable step) after finitialize() in {self.variable} of its "
                       "runs while it loaded: NEURON made those runs at the variable step (NEURON's side turns CVODE "
                       "off at the start of finitialize() only), bridge at the fixed step: they cannot agree")
        if not self.runs:
            return out
        dts = ", ".join(f"{dt:g}" for dt in dict.fromkeys(self.dts))
        return out + [f"the model's HOC turned on CVODE (variable step) before {self.runs} of the finitialize() "
                      f"calls it made while it loaded; NEURON made those runs at the fixed step, as bridge does (CVODE "
                      f"turned off at the start of each finitialize(), the model's dt kept, stdrun's setdt applied: "
                      f"dt = {dts} ms): the comparison is fixed-step"]
