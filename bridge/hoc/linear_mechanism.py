"""NEURON's `LinearMechanism` as HOC makes one (src/nrniv/linmod1.cpp `LinearMechanism::create`).

`new LinearMechanism(c, g, y, [y0,] b, x)` (the node at x of the accessed section) or
`new LinearMechanism(c, g, y, [y0,] b, sectionlist, xvec[, layer])`: `c dy/dt + g y = b`, the
first rows and columns the membrane potential of the listed nodes (`node_exact`), the rest extra
states (y0 their initial values, else 0). NEURON keeps references to the Matrices and Vectors and
reads their values during the run, so each time the model is frozen for a run the values are
taken as they are then (`ModelState.sync_sections` -> `SectionTree.linear_mechanisms`); the
solver adds the equations to the tree system (`bridge.solver.linear_mechanism`).

The optional `layer` Vector puts row i on the node's internal potential (0: v + vext[0] with extracellular)
or on its extracellular layer k (vext[k-1]; bridge.solver.linear_mechanism.solve_blocks).

Refused: a Python callable first argument, a layer outside 0..2, a layer > 0 on a node without
extracellular (when the model is run: NEURON grounds that row), and a section whose
nseg changed after the LinearMechanism was made (NEURON 9.0.2 keeps the nodes it found then and
valid() stays 1). A deleted section makes it invalid (valid() 0): it no longer acts, as in NEURON.

bridge holds c and g of all the LinearMechanisms together as dense (S, S) matrices (S their unknowns in all;
`bridge.solver.linear_mechanism.LinearPlan`), however sparse the HOC Matrices are: `DENSE_COPIES` of them are
charged to the session's memory (`Limits.max_memory`) when a LinearMechanism is made, so that a huge one is a
HocError naming its file:line, never an allocation that takes the machine's memory; y grown past the size it
had then is refused when the model is run.

NEURON writes the solution into `y` as it runs (`NrnDAE::update`): after finitialize() a read of `y`
gets the live run's node potentials and extra states (simulating what is pending, as a recording
Vector is filled); values HOC assigns to `y` during a run are not applied.
"""

from __future__ import annotations

import weakref

import numpy as np

from bridge.errors import BridgeError, UnsupportedFeature
from bridge.hoc.arguments import number_arg
from bridge.hoc.lists import SectionList
from bridge.hoc.matrix import Matrix
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.sparse_matrix import SparseMatrix
from bridge.hoc.vector import Vector
from bridge.hoc.vector_play_element import check_unchanged
from bridge.morphology.tree import LinearMech
from bridge.solver.linear_mechanism import KEY

DENSE_COPIES = 6  # (S, S) float64 arrays bridge makes of the LinearMechanisms' c and g: the snapshot's two, the
# plan's two (solver.linear_mechanism.linear_plan), the step's cj c + g and the sparse solve's values


def _matrix_values(m) -> np.ndarray:
    if isinstance(m, SparseMatrix):
        return m.dense()
    return np.array(m.rows, dtype=float).reshape(m.nrow, m.ncol)


class LinearMechanism(BuiltinObject):
    """One LinearMechanism: the HOC objects it refers to and the nodes it couples."""

    cls = "LinearMechanism"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self.loc = loc
        if not args or not isinstance(args[0], (Matrix, SparseMatrix)):
            raise interp.refuse("new LinearMechanism(...): the first argument must be a Matrix (a Python callable "
                                "first argument is not supported)", loc)
        self.c, self.g = args[0], args[1] if len(args) > 1 else None
        if not isinstance(self.g, (Matrix, SparseMatrix)):
            raise interp.error("LinearMechanism: argument 2 must be a Matrix", loc)
        i = 2
        self.y = self._vector(interp, args, i, loc)
        self.y0 = None
        if len(args) > i + 2 and isinstance(args[i + 2], Vector):  # linmod1.cpp: y0 when arg i+2 is a Vector
            i += 1
            self.y0 = args[i]
        i += 1
        self.b = self._vector(interp, args, i, loc)
        i += 1
        self.secs: list = []
        self.xs: list[float] = []
        self.layers: tuple[int, ...] = ()  # nrndae.cpp elayer_: 0 the internal potential, k vext[k-1]
        if len(args) > i:
            if isinstance(args[i], SectionList):
                xvec = self._vector(interp, args, i + 1, loc)
                secs = args[i].hoc_sections()
                if len(xvec.data) < len(secs):
                    raise interp.error(f"LinearMechanism: the x Vector has {len(xvec.data)} elements for "
                                       f"{len(secs)} sections", loc)
                self.secs, self.xs = list(secs), [float(x) for x in xvec.data[:len(secs)]]
                if len(args) > i + 2:
                    self.layers = self._layers(interp, self._vector(interp, args, i + 2, loc), len(secs), loc)
            else:
                x = number_arg(interp, args, i, loc, "LinearMechanism")
                if not 0.0 <= x <= 1.0:
                    raise interp.error(f"LinearMechanism: arg {i + 1} out of range", loc)
                self.secs, self.xs = [interp.model.current(interp, loc)], [x]
        self.nseg = [sec.data.nseg for sec in self.secs]
        self._check(interp, loc)
        self.size = len(self.y.data)
        _charge_dense(interp, self.size, loc)
        self._filled = -1  # the live run's epoch when y was last filled
        self.y._spike_fill = self.fill_y  # called on every read of y (bridge.hoc.vector.Vector.check_filled)
        interp.model.linear_mechanisms.append(weakref.ref(self))
        interp.model.mutations += 1

    @staticmethod
    def _vector(interp, args, i: int, loc) -> Vector:
        if len(args) <= i or not isinstance(args[i], Vector):
            raise interp.error(f"LinearMechanism: argument {i + 1} must be a Vector", loc)
        return args[i]

    @staticmethod
    def _layers(interp, layer: Vector, k: int, loc) -> tuple[int, ...]:
        """The layer Vector's first k elements as NEURON reads them (nrndae.cpp: `int(elay[i])`): 0..nlayer (2)."""
        if len(layer.data) < k:
            raise interp.error(f"LinearMechanism: the layer Vector has {len(layer.data)} elements for {k} "
                               "sections", loc)
        layers = tuple(int(float(e)) for e in layer.data[:k])
        if any(not 0 <= e <= 2 for e in layers):
            raise interp.refuse(f"new LinearMechanism(..., layer): layer {next(e for e in layers if not 0 <= e <= 2)}"
                                " is not one of 0 (the internal potential), 1, 2 (vext[0], vext[1]; NEURON's "
                                "nlayer is 2)", loc)
        return layers if any(layers) else ()

    def _check(self, interp, loc) -> None:
        """linmod.cpp / nrndae.cpp `alloc`'s asserts: c and g square of y's size, b (and y0) of that size."""
        s = len(self.y.data)
        for name, m in (("c", self.c), ("g", self.g)):
            if (m.nrow, m.ncol) != (s, s):
                raise interp.error(f"LinearMechanism: the {name} Matrix is {m.nrow} x {m.ncol}; y has {s} elements",
                                   loc)
        for name, v in (("b", self.b), ("y0", self.y0)):
            if v is not None and len(v.data) != s:
                raise interp.error(f"LinearMechanism: {name} has {len(v.data)} elements; y has {s}", loc)
        if len(self.secs) > s:
            raise interp.error(f"LinearMechanism: {len(self.secs)} nodes but y has only {s} elements", loc)

    def valid(self) -> bool:
        """NEURON's valid(): its nodes still exist (a deleted section frees the LinearMechanism)."""
        return all(sec.alive for sec in self.secs)

    def m_valid(self, interp, args, loc):
        return float(self.valid())

    def fill_y(self, interp, loc) -> None:
        """y as NEURON leaves it during a run: the coupled nodes' v [mV], then the extra states, from the live run
        (nothing before the first finitialize())."""
        model = interp.model
        live = model.live
        if model.initialized is None or not self.valid():
            return
        live.flush()
        if live.state is None or live.plan is None or live.plan.linear is None or self._filled == live.epoch:
            return
        offset = 0
        for ref in model.linear_mechanisms:  # this one's extra states follow those of the LinearMechanisms before
            lm = ref()
            if lm is self:
                break
            if lm is not None and lm.valid():
                offset += len(lm.y.data) - len(lm.secs)
        extras = np.asarray(live.state["mech"][KEY]["y"], float)
        k, s = len(self.secs), len(self.y.data)
        if offset + s - k > len(extras):
            raise interp.refuse(f"{self}.y read: the run was made before this LinearMechanism or its size changed",
                                loc)
        v = np.asarray(live.state["v"], float)
        layout = live.plan.layout
        ext = live.state.get("ext")
        vext = None if ext is None else np.asarray(ext["vext"], float)
        layers = self.layers or (0,) * k
        nodes = [layout.node(sec.name, x) for sec, x in zip(self.secs, self.xs)]
        # nrndae.cpp NrnDAE::v2y / update: layer 0 is v + vext[0] (vext 0 off extracellular), layer j vext[j-1]
        self.y.data = ([float(v[n] + (vext[0][n] if vext is not None else 0.0)) if j == 0 else float(vext[j - 1][n])
                        for n, j in zip(nodes, layers)]
                       + [float(e) for e in extras[offset:offset + s - k]])
        self._filled = live.epoch

    def snapshot(self) -> LinearMech:
        """The equations as the Matrices and Vectors hold them now."""
        for sec, nseg in zip(self.secs, self.nseg):
            if sec.data.nseg != nseg:
                raise UnsupportedFeature(f"{self.loc}: the LinearMechanism made here couples {sec.name}, whose nseg "
                                         "changed since (NEURON keeps the nodes it found then, which the section "
                                         "no longer has); make it after setting nseg")
        s = len(self.y.data)
        if s > self.size:
            raise UnsupportedFeature(f"{self.loc}: the LinearMechanism made here had {self.size} unknowns; its y "
                                     f"has {s} elements now: bridge sizes its memory when it is made (make it again)")
        sizes = [(m.nrow, m.ncol) for m in (self.c, self.g)] + [(len(v.data),) for v in (self.b, self.y0) if v]
        if any(size not in ((s, s), (s,)) for size in sizes):
            raise UnsupportedFeature(f"{self.loc}: the LinearMechanism made here: its Matrices or Vectors were "
                                     f"resized since (y has {s} elements; c, g, b, y0: {sizes})")
        check_unchanged(self.b)  # a LinearCircuit source's play into b (bridge.hoc.vector_play_element)
        y0 = np.zeros(s) if self.y0 is None else np.asarray(self.y0.data, float)
        return LinearMech(_matrix_values(self.c), _matrix_values(self.g), np.asarray(self.b.data, float), y0,
                          tuple((sec.name, x) for sec, x in zip(self.secs, self.xs)), self.layers)




def _charge_dense(interp, size: int, loc) -> None:
    """Charge the dense c and g of every LinearMechanism of the session, this new one of `size` unknowns with them
    (the module's docstring): a HocError at `loc` over `Limits.max_memory`."""
    model = interp.model
    total = size + sum(lm.size for lm in (ref() for ref in model.linear_mechanisms) if lm is not None and lm.valid())
    if model.linear_dense is None:
        model.linear_dense = interp.memory.charge(model)
    try:
        model.linear_dense.resize(DENSE_COPIES * 8 * total * total,
                                  f"LinearMechanisms of {total} unknowns in all (bridge holds their c and g as "
                                  "dense matrices)")
    except BridgeError as err:
        raise interp.error(str(err).removeprefix("hoc error: "), loc) from None
