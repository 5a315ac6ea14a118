"""NEURON's ParallelComputeTool (lib/hoc/parcom.hoc) in one process: threads and multisplit accepted.

`load_file("parcom.hoc")` defines the template and makes `ParallelComputeTool[0]`, which its window keeps
(`box.ref(this)`). Models reach it as `pc_ = ParallelComputeTool[0]` and call `nthread(n)`, `pthread(1)`,
`multisplit(1)` (ModelDB 195666, 241169's parinit.hoc) or only `nthread(1)` (244692). What each does in
NEURON 9.0.2 and here:

- `nthread(n)`, `pthread(on)` (`change_nthread`: `pc.nthread(n, on)`, then the load balance is computed
  again): threads split the cells among themselves; a cell's arithmetic is the same in every thread
  (measured on 195666's 2518-section cell: 8 threads vs 1, max |dV| 0.0 over 50 ms), so bridge keeps the
  numbers and lists the call. `nthread_` and `pinfo`, `np` are the tool's variables.
- `busywait(on)`: how idle threads wait; no effect on the numbers. With threads on it sets `np` to the
  machine's processor count (`howmany`): reading `np` then is refused.
- `multisplit(1)` (`use_thread`: each cell cut into pieces with `pc.multisplit`, solved by NEURON's split
  elimination, src/nrniv/multisplit.cpp): the same cable equations eliminated in another order, so the numbers
  differ from the whole cell's by round-off only (NEURON 9.0.2 on our branched cell with hh, 50 ms: 2.1e-11 mV at
  most, the first difference 1.4e-14 mV; on 195666's 2518-section cell, 50 ms: split on 1 thread vs whole 4.3e-14
  mV, split on 8 threads vs whole 4.8e-5 mV, which that cell amplifies from 1.4e-14 mV at step 19 as it amplifies
  any round-off: NEURON's own run with v one ulp up differs by 9.8e-5 mV). bridge solves each cell whole and lists
  the call. `multisplit(0)` after it (`unsplit`: the sections connected back) ends the split; `multisplit(0)` on a
  tool never split stops NEURON (`unsplit` reads `splitinfo_.count` of a nil objref: "'count' object prefix is
  nullptr"); so does bridge. A second `multisplit(1)` while split is refused (NEURON 9.0.2 aborts: "malloc():
  unaligned tcache chunk detected"), and so are topology reads while split (bridge.hoc.split_state). A model's own
  `pc.multisplit(x, sid)` stays refused (bridge.hoc.parallel): its disconnected pieces are joined by their split
  ids, which bridge does not follow.
- `cache()` is public but parcom.hoc defines no `cache`: NEURON stops ("cache: can't push that type onto
  stack"); so does bridge.
- `map`, `save`: the window (GUI, listed); `box` a GUI VBox, `pct` the tool itself. `lb` (a LoadBalance of
  loadbal.hoc), `printpart`, `move2part`, `showshape` are refused.
"""

from __future__ import annotations

from bridge.hoc.gui import GuiObject
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import FuncRef, is_number

CLASS = "ParallelComputeTool"
_VARIABLES = ("nthread_", "pinfo", "np")  # public numbers of the template (parcom.hoc `init`)
_REFUSED = {"lb": "its LoadBalance (loadbal.hoc) is not supported",
            "printpart": "it prints the thread partition of LoadBalance (loadbal.hoc), which bridge does not make",
            "move2part": "it moves a section between thread partitions (pc.partition), which bridge does not make",
            "showshape": "it colours a Shape by thread partition (pc.sec_in_thread), which bridge does not make"}


class ParallelComputeTool(BuiltinObject):
    """`ParallelComputeTool[0]` (parcom.hoc's template; the module's docstring)."""

    cls = CLASS

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        # parcom.hoc init(): pinfo = 0, np = 0, ispar_ = 1, nthread_ = pc.nthread() (1: bridge.hoc.parallel runs one)
        self.values = {"nthread_": 1.0, "pinfo": 0.0, "np": 0.0}
        self.ispar = 1.0
        self.np_unknown = False  # busywait(1) with threads on: np = pc.thread_how_many_proc(), this machine's cores
        self.split = False  # multisplit(1) holds (parcom.hoc `multisplit_`)
        self.box = GuiObject(interp, "VBox", [], loc)
        interp.model.window_held.append(self)  # build(): box.ref(this) keeps the tool (bridge.hoc.lifetimes)

    def hoc_ref(self, interp, name, indices, loc):
        if name == "np" and self.np_unknown:
            raise interp.refuse(f"{CLASS}.np after busywait(1) is not supported: NEURON reads the number of "
                                "processors of the machine it runs on (pc.thread_how_many_proc)", loc)
        if name in _VARIABLES and not indices:
            def assign(value):
                if not is_number(value):
                    raise interp.error(f"{CLASS}.{name} is a number", loc)
                self.values[name] = float(value)

            return FuncRef(lambda: self.values[name], assign)
        if name == "pct" and not indices:
            return FuncRef(lambda: self, lambda v: None)
        if name == "box" and not indices:
            return FuncRef(lambda: self.box, lambda v: None)
        if name in _REFUSED:
            raise interp.refuse(f"{CLASS}.{name} is not supported: {_REFUSED[name]}", loc)
        return super().hoc_ref(interp, name, indices, loc)

    def hoc_call(self, interp, name, args, loc):
        if name in _REFUSED:
            raise interp.refuse(f"{CLASS}.{name}() is not supported: {_REFUSED[name]}", loc)
        return super().hoc_call(interp, name, args, loc)

    def _number(self, interp, args, loc, what: str) -> float | None:
        if not args:
            return None
        if not is_number(args[0]):
            raise interp.error(f"{CLASS}.{what}(n): a number is needed", loc)
        return float(args[0])

    def _change_nthread(self, interp, n: float, ispar: float, loc) -> None:
        """parcom.hoc change_nthread: `pc.nthread(n, ispar)`; the thread count does not change a cell's numbers."""
        if n != int(n) or n < 1:
            raise interp.refuse(f"{CLASS}.nthread({n:g}): bridge supports a whole number of threads >= 1", loc)
        self.values["nthread_"], self.ispar = n, ispar
        if n > 1:
            interp.model.gui_calls.setdefault(f"{CLASS}.nthread(n > 1) (threads share out the cells; each cell's "
                                              "numbers are the same: bridge runs one thread)", loc)

    def m_nthread(self, interp, args, loc):
        n = self._number(interp, args, loc, "nthread")
        if n is not None:
            self._change_nthread(interp, n, self.ispar, loc)
        return self.values["nthread_"]

    def m_pthread(self, interp, args, loc):
        on = self._number(interp, args, loc, "pthread")
        if on is not None:
            self._change_nthread(interp, self.values["nthread_"], on, loc)
        return self.ispar

    def m_busywait(self, interp, args, loc):
        on = self._number(interp, args, loc, "busywait")
        if on == 1 and self.ispar and self.values["np"] == 0:  # parcom.hoc busywait: howmany()
            self.np_unknown = True
        interp.model.gui_calls.setdefault(f"{CLASS}.busywait (how idle threads wait: no effect on the numbers)", loc)
        return 0.0

    def m_multisplit(self, interp, args, loc):
        on = self._number(interp, args, loc, "multisplit")
        if on is None:
            raise interp.error(f"{CLASS}.multisplit(on): an argument is needed", loc)
        if on != 0:
            if self.split:
                raise interp.refuse(f"{CLASS}.multisplit({on:g}) while the cells are split is not supported "
                                    "(parcom.hoc's use_thread would cut the pieces again)", loc)
            self.split = interp.model.cells_split = True
            interp.model.gui_calls.setdefault(
                f"{CLASS}.multisplit(1) (NEURON solves each cell in pieces by its split elimination: the same "
                "equations in another order, round-off only; bridge solves each cell whole)", loc)
            return 0.0
        if not self.split:  # parcom.hoc multisplit(0) -> unsplit(): splitinfo_ is a nil objref until a split
            raise interp.error("'count' object prefix is nullptr (ParallelComputeTool.multisplit(0) on a tool never "
                               "split: parcom.hoc unsplit() reads splitinfo_.count); NEURON stops here too", loc)
        self.split = interp.model.cells_split = False  # unsplit(): the sections connected back
        return 0.0

    def m_cache(self, interp, args, loc):
        raise interp.error("cache: can't push that type onto stack (parcom.hoc declares cache public but defines "
                           "no cache); NEURON stops here too", loc)

    def m_map(self, interp, args, loc):
        interp.model.gui_calls.setdefault(f"{CLASS}.map", loc)
        return 0.0

    def m_save(self, interp, args, loc):
        interp.model.gui_calls.setdefault(f"{CLASS}.save", loc)
        return 0.0


def load(interp, loc) -> float:
    """`load_file("parcom.hoc")`: define the class (`new ParallelComputeTool()`) and make `ParallelComputeTool[0]`
    (parcom.hoc's last lines), once per session as load_file runs a name once."""
    if CLASS in interp.classes:
        return 1.0
    interp.classes[CLASS] = ParallelComputeTool
    ParallelComputeTool(interp, [], loc)
    return 1.0
