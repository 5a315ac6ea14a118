"""NEURON's `Matrix` (full, type 1) as models use it: rows of doubles, charged to the session's memory.

The methods follow src/ivoc/matrix.cpp (argument checks, results, in-place forms) and
src/ivoc/ocmatrix.cpp (`OcFullMatrix`). `solv`, `inverse` and `det` use the LU factorisation
of `bridge.hoc.matrix_lu` (meschach's `LUfactor`/`LUsolve`, the arithmetic in NEURON's order).
Sparse matrices (type 2) are `bridge.hoc.sparse_matrix`; `exp`, `pow` and `symmeig` are refused.
"""

from __future__ import annotations

from bridge.hoc import budget
from bridge.hoc.arguments import number_arg
from bridge.hoc.datafiles import File
from bridge.hoc.formatting import hoc_format
from bridge.hoc.matrix_lu import lu_factor, lu_solve
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import FuncRef, Ref, StrVar, is_number
from bridge.hoc.vector import Vector


def _index(interp, args, i: int, hi: int, loc, what: str, lo: int = 0) -> int:
    """chkarg(i, lo, hi) as an int (NEURON's range check on an index argument)."""
    x = number_arg(interp, args, i, loc, what)
    if not lo <= x <= hi:
        raise interp.error(f"{what}: argument {i + 1} ({x:g}) is outside [{lo}, {hi}]", loc)
    return int(x)


class Matrix(BuiltinObject):
    """`new Matrix(nrow, ncol)`: a full matrix of zeros; `m.x[i][j]`, and NEURON's methods."""

    holds_hoc_objects = lifetime_relevant = False  # no template object or point process (bridge.hoc.ref_drops)

    cls = "Matrix"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self._charge = interp.memory.charge(self)
        if len(args) > 2 and is_number(args[2]) and int(args[2]) == 2:
            raise interp.refuse("new Matrix(n, m, 2): sparse matrices are not supported (full matrices are)", loc)
        nrow = _index(interp, args, 0, 10**9, loc, "Matrix", 1) if args else 1
        ncol = _index(interp, args, 1, 10**9, loc, "Matrix", 1) if len(args) > 1 else 1
        self.rows: list[list[float]] = []
        self.lu: tuple[list[list[float]], list[int]] | None = None  # solv's last factorisation
        self._resize(interp, nrow, ncol, loc)

    # -- storage ---------------------------------------------------------------------------
    @property
    def nrow(self) -> int:
        return len(self.rows)

    @property
    def ncol(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def _resize(self, interp, nrow: int, ncol: int, loc) -> None:
        """meschach's m_resize: the top-left block is kept, new elements are 0."""
        n = nrow * ncol
        self._charge.resize(n * budget.VECTOR_ELEMENT_BYTES, f"a Matrix of {nrow} x {ncol} elements")
        interp.work(0, loc, n * 8)
        old = self.rows
        self.rows = [(old[i][:ncol] + [0.0] * (ncol - len(old[i][:ncol]))) if i < len(old) else [0.0] * ncol
                     for i in range(nrow)]

    def _out(self, interp, args, i: int, nrow: int, ncol: int, loc, in_place: str | None = None) -> Matrix:
        """get_out_mat: the Matrix argument `i`, else a new one of nrow x ncol."""
        if len(args) > i:
            out = _matrix(interp, args[i], loc)
            if out is self and in_place:
                raise interp.error(f"{in_place} matrix operation cannot be done in place", loc)
            return out
        return Matrix(interp, [float(nrow), float(ncol)], loc)

    def _set_rows(self, interp, rows: list[list[float]], loc) -> None:
        self._resize(interp, len(rows), len(rows[0]) if rows else 0, loc)
        self.rows = [list(r) for r in rows]

    def hoc_ref(self, interp, name, indices, loc):
        if name != "x":
            return super().hoc_ref(interp, name, indices, loc)
        if len(indices) != 2:
            raise interp.error("Matrix.x[i][j] takes two indices", loc)
        i, j = indices
        if not (0 <= i < self.nrow and 0 <= j < self.ncol):
            raise interp.error(f"{self}.x[{i}][{j}] is outside the {self.nrow} x {self.ncol} matrix", loc)
        row = self.rows[i]

        def set_(v):
            row[j] = float(v)

        return FuncRef(lambda: row[j], set_)

    # -- values ----------------------------------------------------------------------------
    def m_scanf(self, interp, args, loc):
        """scanf(file[, nrow, ncol]): the Matrix resized to nrow x ncol (default: the file's first two numbers)
        and filled row by row with the file's next numbers, read as `File.scanvar` reads (matrix.cpp m_scanf,
        hoc_scan)."""
        f = args[0] if args else None
        if not isinstance(f, File):
            raise interp.error("Matrix.scanf(file) needs a File opened with ropen", loc)
        if len(args) > 1:
            nrow = _index(interp, args, 1, 10**9, loc, "Matrix.scanf", 1)
            ncol = _index(interp, args, 2, 10**9, loc, "Matrix.scanf", 1)
        else:
            nrow, ncol = (int(f.m_scanvar(interp, [], loc)) for _ in range(2))
            if nrow < 1 or ncol < 1:  # meschach's m_resize refuses a size below 1 (NEURON would crash or abort)
                raise interp.error(f"Matrix.scanf: a {nrow} x {ncol} matrix", loc)
        self._resize(interp, nrow, ncol, loc)
        self.lu = None
        for row in self.rows:
            for j in range(ncol):
                row[j] = float(f.m_scanvar(interp, [], loc))
        return 0.0

    def m_nrow(self, interp, args, loc):
        return float(self.nrow)

    def m_ncol(self, interp, args, loc):
        return float(self.ncol)

    def m_getval(self, interp, args, loc):
        i = _index(interp, args, 0, self.nrow - 1, loc, "getval")
        return self.rows[i][_index(interp, args, 1, self.ncol - 1, loc, "getval")]

    def m_setval(self, interp, args, loc):
        i = _index(interp, args, 0, self.nrow - 1, loc, "setval")
        j = _index(interp, args, 1, self.ncol - 1, loc, "setval")
        self.rows[i][j] = number_arg(interp, args, 2, loc, "setval")
        return self.rows[i][j]

    def m_printf(self, interp, args, loc):
        """Each element with format `f1` (default " %-8.3g"), each row ended by `f2` (default "\\n")."""
        f1 = _string(args[0]) if args else " %-8.3g"
        f2 = _string(args[1]) if len(args) > 1 else "\n"
        for row in self.rows:
            interp.write("".join(hoc_format(interp, f1, [v], loc) for v in row) + f2)
        return 0.0

    def m_fprint(self, interp, args, loc):
        """fprint([0 or 1,] file[, f1[, f2]]): "nrow ncol" first (unless 0), then as printf."""
        size = True
        if args and is_number(args[0]):
            size, args = int(args[0]) == 1, args[1:]
        if not args or not isinstance(args[0], File):
            raise interp.error("Matrix.fprint needs a File opened with wopen", loc)
        f = args[0]
        f1 = _string(args[1]) if len(args) > 1 else " %-8.3g"
        f2 = _string(args[2]) if len(args) > 2 else "\n"
        if size:
            f.write(interp, f"{self.nrow} {self.ncol}\n", loc)
        for row in self.rows:
            f.write(interp, "".join(hoc_format(interp, f1, [v], loc) for v in row) + f2, loc)
        return 0.0

    def m_det(self, interp, args, loc):
        """det(&e): the determinant is the result times 10^e (ocmatrix.cpp OcFullMatrix::det)."""
        if not args or not isinstance(args[0], Ref):
            raise interp.error("Matrix.det(&e) needs a pointer for the exponent", loc)
        self._square(interp, loc, "det")
        lu, _perm, sign = lu_factor(self.rows)
        m, e = 1.0, 0
        for i in range(self.nrow):
            m *= lu[i][i]
            if m == 0.0:
                break
            while abs(m) >= 1e12:
                m *= 1e-12
                e += 12
            while abs(m) < 1e-12:
                m *= 1e12
                e -= 12
        if m:
            while abs(m) >= 10.0:
                m *= 0.1
                e += 1
            while abs(m) < 1.0:
                m *= 10.0
                e -= 1
        args[0].set(float(e))
        return m * sign

    def _square(self, interp, loc, what: str) -> None:
        if self.nrow != self.ncol:
            raise interp.error(f"Matrix.{what}: wrong size for Matrix or Vector operation ({self.nrow} x "
                               f"{self.ncol} is not square)", loc)

    # -- results as Vectors ----------------------------------------------------------------
    def m_mulv(self, interp, args, loc):
        vin = _vector(interp, args, 0, loc)
        if len(vin.data) != self.ncol:
            raise interp.error("Matrix.mulv: wrong size for Matrix or Vector operation", loc)
        x = list(vin.data)
        out = _vector(interp, args, 1, loc) if len(args) > 1 else Vector(interp, [], loc)
        out.data = [_dot(row, x) for row in self.rows]
        return out

    def m_getrow(self, interp, args, loc):
        k = _index(interp, args, 0, self.nrow - 1, loc, "getrow")
        out = _vector(interp, args, 1, loc) if len(args) > 1 else Vector(interp, [], loc)
        out.data = list(self.rows[k])
        return out

    def m_getcol(self, interp, args, loc):
        k = _index(interp, args, 0, self.ncol - 1, loc, "getcol")
        out = _vector(interp, args, 1, loc) if len(args) > 1 else Vector(interp, [], loc)
        out.data = [row[k] for row in self.rows]
        return out

    def m_getdiag(self, interp, args, loc):
        k = _index(interp, args, 0, self.ncol - 1, loc, "getdiag", -(self.nrow - 1))
        out = _vector(interp, args, 1, loc) if len(args) > 1 else Vector(interp, [], loc)
        data = (list(out.data) + [0.0] * self.nrow)[:self.nrow]
        for i, j in _diagonal(k, self.nrow, self.ncol):
            data[i] = self.rows[i][j]
        out.data = data
        return out

    def m_solv(self, interp, args, loc):
        """solv(b[, x][, use_lu]): x with A x = b (LU with partial pivoting, as meschach)."""
        self._square(interp, loc, "solv")
        vin = _vector(interp, args, 0, loc)
        if len(vin.data) != self.ncol:
            raise interp.error("Matrix.solv: wrong size for Matrix or Vector operation", loc)
        out, use_lu = None, False
        for a in args[1:3]:
            if is_number(a):
                use_lu = int(a) != 0
            else:
                out = _vector(interp, [a], 0, loc)
        if self.lu is None or not use_lu or len(self.lu[0]) != self.nrow:
            lu, perm, _sign = lu_factor(self.rows)
            self.lu = (lu, perm)
        b = list(vin.data)
        out = out if out is not None else Vector(interp, [], loc)
        out.data = _solve(interp, self.lu, b, loc, "solv")
        return out

    def m_to_vector(self, interp, args, loc):
        out = _vector(interp, args, 0, loc) if args else Vector(interp, [], loc)
        out.data = [row[j] for j in range(self.ncol) for row in self.rows]  # column by column
        return out

    # -- results as Matrices ----------------------------------------------------------------
    def m_resize(self, interp, args, loc):
        nrow = _index(interp, args, 0, 10**9, loc, "resize", 1)
        self._resize(interp, nrow, _index(interp, args, 1, 10**9, loc, "resize", 1), loc)
        self.lu = None
        return self

    def m_c(self, interp, args, loc):
        out = self._out(interp, args, 0, self.nrow, self.ncol, loc)
        out._set_rows(interp, self.rows, loc)
        return out

    def m_transpose(self, interp, args, loc):
        out = self._out(interp, args, 0, self.ncol, self.nrow, loc)
        out._set_rows(interp, [list(col) for col in zip(*self.rows)], loc)
        return out

    def m_add(self, interp, args, loc):
        other = _matrix(interp, args[0] if args else None, loc)
        if (other.nrow, other.ncol) != (self.nrow, self.ncol):
            raise interp.error("Matrix.add: the matrices differ in size", loc)
        out = _matrix(interp, args[1], loc) if len(args) > 1 else self
        out._set_rows(interp, [[a + b for a, b in zip(r, s)] for r, s in zip(self.rows, other.rows)], loc)
        return out

    def m_muls(self, interp, args, loc):
        s = number_arg(interp, args, 0, loc, "muls")
        out = _matrix(interp, args[1], loc) if len(args) > 1 else self
        out._set_rows(interp, [[s * a for a in r] for r in self.rows], loc)
        return out

    def m_mulm(self, interp, args, loc):
        other = _matrix(interp, args[0] if args else None, loc)
        out = _matrix(interp, args[1], loc) if len(args) > 1 else None
        if out is other or out is self:
            raise interp.error("matrix multiplication cannot be done in place", loc)
        if self.ncol != other.nrow:
            raise interp.error(f"Matrix.mulm: {self.nrow} x {self.ncol} times {other.nrow} x {other.ncol}", loc)
        cols = [list(c) for c in zip(*other.rows)]
        rows = [[_dot(r, c) for c in cols] for r in self.rows]
        out = out if out is not None else Matrix(interp, [float(self.nrow), float(other.ncol)], loc)
        out._set_rows(interp, rows, loc)
        return out

    def m_svd(self, interp, args, loc):
        """`d = m.svd([u, v])`: the singular values, largest first (LAPACK's, equal to NEURON's to round-off);
        u and v (when given) receive u^T and v^T of m = u diag(d) v^T as NEURON orders them, each singular
        vector's sign as LAPACK leaves it, which may differ from NEURON's (lincir1.hoc's n_singular, the one
        user bridge knows, reads only d)."""
        import numpy as np

        interp.work(self.nrow * self.ncol * min(self.nrow, self.ncol), loc)
        u, d, vh = np.linalg.svd(np.array(self.rows, dtype=float))
        for k, m in ((0, u.T), (1, vh)):
            if len(args) > k:
                _matrix(interp, args[k], loc)._set_rows(interp, m.tolist(), loc)
        out = Vector(interp, [], loc)
        out._reserve(interp, len(d), loc)
        out.data = [float(x) for x in d]
        return out

    def m_inverse(self, interp, args, loc):
        """meschach's m_inverse: the LU factorisation solved for each column of the identity."""
        self._square(interp, loc, "inverse")
        out = self._out(interp, args, 0, self.nrow, self.ncol, loc)
        lu, perm, _sign = lu_factor(self.rows)
        n = self.nrow
        cols = [_solve(interp, (lu, perm), [1.0 if i == k else 0.0 for i in range(n)], loc, "inverse")
                for k in range(n)]
        out._set_rows(interp, [[cols[j][i] for j in range(n)] for i in range(n)], loc)
        return out

    def m_bcopy(self, interp, args, loc):
        """bcopy(i0, j0, m, n[, i1, j1][, out]): the m x n block at (i0, j0) into out at (i1, j1)."""
        i0 = _index(interp, args, 0, self.nrow - 1, loc, "bcopy")
        j0 = _index(interp, args, 1, self.ncol - 1, loc, "bcopy")
        m0 = _index(interp, args, 2, self.nrow - i0, loc, "bcopy", 1)
        n0 = _index(interp, args, 3, self.ncol - j0, loc, "bcopy", 1)
        i1 = j1 = 0
        k = 4
        if len(args) > 4 and is_number(args[4]):
            i1, j1, k = int(number_arg(interp, args, 4, loc, "bcopy")), int(number_arg(interp, args, 5, loc,
                                                                                        "bcopy")), 6
        out = self._out(interp, args, k, m0, n0, loc)
        if i1 + m0 > out.nrow or j1 + n0 > out.ncol:  # meschach's m_move grows the target
            out._resize(interp, max(out.nrow, i1 + m0), max(out.ncol, j1 + n0), loc)
        block = [self.rows[i0 + i][j0:j0 + n0] for i in range(m0)]
        for i in range(m0):
            out.rows[i1 + i][j1:j1 + n0] = block[i]
        return out

    def m_setrow(self, interp, args, loc):
        k = _index(interp, args, 0, self.nrow - 1, loc, "setrow")
        values = self._fill(interp, args, self.ncol, loc, "setrow")
        self.rows[k][:] = values
        return self

    def m_setcol(self, interp, args, loc):
        k = _index(interp, args, 0, self.ncol - 1, loc, "setcol")
        values = self._fill(interp, args, self.nrow, loc, "setcol")
        for row, v in zip(self.rows, values):
            row[k] = v
        return self

    def m_setdiag(self, interp, args, loc):
        k = _index(interp, args, 0, self.ncol - 1, loc, "setdiag", -(self.nrow - 1))
        values = self._fill(interp, args, self.nrow, loc, "setdiag")
        for i, j in _diagonal(k, self.nrow, self.ncol):
            self.rows[i][j] = values[i]
        return self

    def _fill(self, interp, args, n: int, loc, what: str) -> list[float]:
        """The second argument: a number (every element) or a Vector of at least n elements."""
        if len(args) > 1 and is_number(args[1]):
            return [float(args[1])] * n
        v = _vector(interp, args, 1, loc)
        if len(v.data) < n:
            raise interp.error(f"Matrix.{what}: the Vector has {len(v.data)} elements, {n} needed", loc)
        return list(v.data[:n])

    def m_zero(self, interp, args, loc):
        for row in self.rows:
            row[:] = [0.0] * len(row)
        return self

    def m_ident(self, interp, args, loc):
        for i, row in enumerate(self.rows):
            row[:] = [1.0 if i == j else 0.0 for j in range(len(row))]
        return self

    def m_set(self, interp, args, loc):
        values = [number_arg(interp, args, k, loc, "set") for k in range(self.nrow * self.ncol)]
        self.rows = [values[i * self.ncol:(i + 1) * self.ncol] for i in range(self.nrow)]
        return self

    def m_from_vector(self, interp, args, loc):
        v = _vector(interp, args, 0, loc)
        if len(v.data) != self.nrow * self.ncol:
            raise interp.error("Matrix.from_vector: wrong size for Matrix or Vector operation", loc)
        n = self.nrow
        for k, value in enumerate(v.data):  # column by column
            self.rows[k % n][k // n] = value
        return self


def _dot(a: list[float], b: list[float]) -> float:
    """Sum of products left to right, as meschach's __ip__ accumulates them."""
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


def _solve(interp, factors, b: list[float], loc, what: str) -> list[float]:
    try:
        return lu_solve(factors[0], factors[1], b)
    except ZeroDivisionError:
        raise interp.error(f"Matrix.{what}: the matrix is singular (meschach's Usolve: E_SING)", loc) from None


def _diagonal(k: int, nrow: int, ncol: int) -> list[tuple[int, int]]:
    """The (row, column) pairs of diagonal k (k > 0 above the main one)."""
    i, j = (0, k) if k >= 0 else (-k, 0)
    out = []
    while i < nrow and j < ncol:
        out.append((i, j))
        i, j = i + 1, j + 1
    return out


def _string(a) -> str:
    return a.value if isinstance(a, StrVar) else str(a)


def _vector(interp, args, i: int, loc) -> Vector:
    if len(args) <= i or not isinstance(args[i], Vector):
        raise interp.error(f"Matrix: argument {i + 1} must be a Vector", loc)
    return args[i]


def _matrix(interp, a, loc) -> Matrix:
    if not isinstance(a, Matrix):
        raise interp.error("Matrix: a Matrix argument was expected", loc)
    return a
