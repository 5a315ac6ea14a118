"""NEURON's sparse `Matrix` (`new Matrix(nrow, ncol, 2)`, src/ivoc/ocmatrix.cpp `OcSparseMatrix`) for what
models do with one: elements set and read (`x[i][j]`, `setval`, `getval`), its size, `zero`, `ident`,
`mulv`, `setdiag`, and as a `LinearMechanism`'s matrix (`bridge.hoc.linear_mechanism`).

Only the elements set are stored (a dict per row, charged to the session's memory), so a
numcells x numcells "used" table costs what it holds. An element never set reads 0. Other
methods are refused by name.
"""

from __future__ import annotations

import numpy as np

from bridge.hoc.arguments import number_arg
from bridge.hoc.matrix import Matrix, _index, _vector
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import FuncRef, is_number
from bridge.hoc.vector import Vector

SPARSE = 2  # matrix.cpp m_cons: the third argument 2 makes an OcSparseMatrix
ELEMENT_BYTES = 64  # what one stored element costs bridge (a dict entry), charged to the session


def make_matrix(interp, args, loc):
    """`new Matrix(nrow, ncol[, type])`: a sparse matrix for type 2, else the full `Matrix`."""
    if len(args) > 2 and is_number(args[2]) and int(args[2]) == SPARSE:
        return SparseMatrix(interp, args, loc)
    return Matrix(interp, args, loc)


class SparseMatrix(BuiltinObject):
    """An nrow x ncol sparse matrix: `elements[i][j]` for the elements set."""

    holds_hoc_objects = lifetime_relevant = False  # no template object or point process (bridge.hoc.ref_drops)

    cls = "Matrix"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self._charge = interp.memory.charge(self)
        self.nrow = _index(interp, args, 0, 10**9, loc, "Matrix", 1)
        self.ncol = _index(interp, args, 1, 10**9, loc, "Matrix", 1)
        self.elements: dict[int, dict[int, float]] = {}
        self._count = 0

    # -- storage ---------------------------------------------------------------------------
    def _set(self, interp, i: int, j: int, value: float, loc) -> None:
        row = self.elements.setdefault(i, {})
        if j not in row:
            self._count += 1
            self._charge.resize(self._count * ELEMENT_BYTES, f"a sparse Matrix of {self._count} elements")
            interp.work(0, loc, ELEMENT_BYTES)
        row[j] = float(value)

    def get(self, i: int, j: int) -> float:
        return self.elements.get(i, {}).get(j, 0.0)

    def dense(self) -> np.ndarray:
        """The matrix as a full (nrow, ncol) array (for a LinearMechanism's few rows)."""
        out = np.zeros((self.nrow, self.ncol))
        for i, row in self.elements.items():
            for j, value in row.items():
                out[i, j] = value
        return out

    def _check(self, interp, i: int, j: int, loc) -> None:
        if not (0 <= i < self.nrow and 0 <= j < self.ncol):
            raise interp.error(f"{self}.x[{i}][{j}] is outside the {self.nrow} x {self.ncol} matrix", loc)

    def hoc_ref(self, interp, name, indices, loc):
        if name != "x":
            return super().hoc_ref(interp, name, indices, loc)
        if len(indices) != 2:
            raise interp.error("Matrix.x[i][j] takes two indices", loc)
        i, j = (int(k) for k in indices)
        self._check(interp, i, j, loc)
        return FuncRef(lambda: self.get(i, j), lambda v: self._set(interp, i, j, v, loc))

    def hoc_call(self, interp, name, args, loc):
        if getattr(self, "m_" + name, None) is None:
            raise interp.refuse(f"Matrix.{name}() of a sparse Matrix (new Matrix(n, m, 2)) is not supported by "
                                "bridge", loc)
        return super().hoc_call(interp, name, args, loc)

    # -- methods ---------------------------------------------------------------------------
    def m_nrow(self, interp, args, loc):
        return float(self.nrow)

    def m_ncol(self, interp, args, loc):
        return float(self.ncol)

    def m_getval(self, interp, args, loc):
        i = _index(interp, args, 0, self.nrow - 1, loc, "getval")
        return self.get(i, _index(interp, args, 1, self.ncol - 1, loc, "getval"))

    def m_setval(self, interp, args, loc):
        i = _index(interp, args, 0, self.nrow - 1, loc, "setval")
        j = _index(interp, args, 1, self.ncol - 1, loc, "setval")
        self._set(interp, i, j, number_arg(interp, args, 2, loc, "setval"), loc)
        return self.get(i, j)

    def m_zero(self, interp, args, loc):
        """ocmatrix.cpp OcSparseMatrix::zero: every stored element 0 (they stay stored)."""
        for row in self.elements.values():
            for j in row:
                row[j] = 0.0
        return self

    def m_ident(self, interp, args, loc):
        """Eigen's setIdentity: 1 on the diagonal, every other element gone."""
        if self.nrow != self.ncol:  # Eigen asserts (NEURON aborts)
            raise interp.error(f"Matrix.ident() of a sparse {self.nrow} x {self.ncol} Matrix: only square ones", loc)
        self.elements, self._count = {}, 0
        for i in range(min(self.nrow, self.ncol)):
            self._set(interp, i, i, 1.0, loc)
        return self

    def m_setdiag(self, interp, args, loc):
        """ocmatrix.cpp OcSparseMatrix::setdiag: diagonal k (k > 0 above the main one) set to a number or, element
        by element, to the Vector's element of the row's index."""
        k = int(number_arg(interp, args, 0, loc, "setdiag"))
        if not -(self.nrow - 1) <= k <= self.ncol - 1:  # matrix.cpp m_setdiag: chkarg(1, -(nrow-1), ncol-1)
            raise interp.error(f"Matrix.setdiag: arg 1 ({k}) out of range", loc)
        vec = None if len(args) > 1 and is_number(args[1]) else _vector(interp, args, 1, loc)
        if vec is not None and len(vec.data) > self.nrow:  # check_domain(size, nrow)
            raise interp.error(f"Matrix index out of range: index={len(vec.data)}  max_index={self.nrow}", loc)
        i, j = (0, k) if k >= 0 else (-k, 0)
        while i < self.nrow and j < self.ncol:
            if vec is None:
                value = float(args[1])
            elif i < len(vec.data):
                value = vec.data[i]
            else:
                raise interp.error(f"Matrix.setdiag: the Vector has {len(vec.data)} elements, {i + 1} needed", loc)
            self._set(interp, i, j, value, loc)
            i, j = i + 1, j + 1
        return self

    def m_mulv(self, interp, args, loc):
        """meschach's sp_mv_mlt: each row's stored elements summed in column order."""
        vin = _vector(interp, args, 0, loc)
        if len(vin.data) != self.ncol:
            raise interp.error("Matrix.mulv: wrong size for Matrix or Vector operation", loc)
        x = list(vin.data)
        out = _vector(interp, args, 1, loc) if len(args) > 1 else Vector(interp, [], loc)
        data = [0.0] * self.nrow
        for i, row in self.elements.items():
            total = 0.0
            for j in sorted(row):
                total += row[j] * x[j]
            data[i] = total
        out.data = data
        return out

