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
        self.active = True

    def finitialize(self) -> None:
        """At the start of each finitialize() while the model loads: CVODE off, the model's dt kept."""
        h = self.h
        if not self.active or not self.cvode.active():
            return
        dt = float(h.dt)
        stdrun_cvode = float(h.using_cvode_) != 0
        h.cvode_active(0)  # stdrun.hoc cvode_active -> varmeth1.hoc varstep(0) -> isvar()
        h.dt = dt
        if stdrun_cvode:  # stdinit() skipped setdt for the variable step; the fixed step's run applies it
            h.setdt()
        self.runs += 1
        self.dts.append(float(h.dt))

    def finish(self) -> None:
        self.active = False

    def notes(self) -> list[str]:
        if not self.runs:
            return []
        dts = ", ".join(f"{dt:g}" for dt in dict.fromkeys(self.dts))
        return [f"the model's HOC turned on CVODE (variable step) before {self.runs} of the finitialize() calls it "
                f"made while it loaded; NEURON made those runs at the fixed step, as bridge does (CVODE turned off "
                f"at the start of each finitialize(), the model's dt kept, stdrun's setdt applied: dt = {dts} ms): the "
                f"comparison is fixed-step"]
