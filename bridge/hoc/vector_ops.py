"""More of NEURON's Vector methods (src/ivoc/ivocvect.cpp), as a mixin of `bridge.hoc.vector.Vector`:
`integral`, `rotate`, `index`, `remove`, `indwhere` and `copy`'s ranges (the forms NEURON's LinearCircuit
library uses, lib/hoc/lincir). Each was compared with NEURON 9.0.2 (tests/hoc/test_vector_ops.py)."""

from __future__ import annotations

from bridge.hoc.arguments import number_arg, string_arg
from bridge.hoc.values import is_number


def _vector_arg(self, interp, args, i, loc, name):
    a = args[i] if i < len(args) else None
    if not isinstance(a, type(self)):
        raise interp.error(f"Vector.{name}: argument {i + 1} must be a Vector", loc)
    a.check_filled(interp, loc)
    return a


class VectorOps:
    """Vector methods; `self.data` is the element list, `_reserve` charges a new size."""

    def m_integral(self, interp, args, loc):
        """`dest.integral(src[, dx])`: dest[0] = src[0], dest[i] = dest[i-1] + src[i]*dx (dx 1); returns dest."""
        src = _vector_arg(self, interp, args, 0, loc, "integral")
        dx = number_arg(interp, args, 1, loc, "integral") if len(args) > 1 else 1.0
        out: list[float] = []
        self._reserve(interp, len(src.data), loc)
        for i, x in enumerate(src.data):
            out.append(x if i == 0 else out[-1] + x * dx)
        self.data = out
        return self

    def m_rotate(self, interp, args, loc):
        """`v.rotate(n[, 0])`: elements move n places to the right (left for n < 0), wrapping round; with a 0
        second argument the vacated places are 0 instead."""
        n = int(number_arg(interp, args, 0, loc, "rotate"))
        wrap = len(args) < 2 or number_arg(interp, args, 1, loc, "rotate") != 0.0
        size = len(self.data)
        interp.work(size, loc)
        if size == 0:
            return self
        if wrap:
            n %= size
            self.data = self.data[size - n:] + self.data[:size - n]
        elif n >= 0:
            n = min(n, size)
            self.data = [0.0] * n + self.data[:size - n]
        else:
            n = min(-n, size)
            self.data = self.data[n:] + [0.0] * n
        return self

    def m_index(self, interp, args, loc):
        """`dest.index(src, indices)`: dest[k] = src[indices[k]]; returns dest."""
        src = _vector_arg(self, interp, args, 0, loc, "index")
        idx = _vector_arg(self, interp, args, 1, loc, "index")
        out = []
        for x in idx.data:
            i = int(x)
            if not 0 <= i < len(src.data):
                raise interp.error(f"Vector.index: index {i} is outside the source (size {len(src.data)})", loc)
            out.append(src.data[i])
        self._reserve(interp, len(out), loc)
        self.data = out
        return self

    def m_remove(self, interp, args, loc):
        """`v.remove(i[, j])`: element i (elements i to j) taken out; returns v."""
        i = int(number_arg(interp, args, 0, loc, "remove"))
        j = int(number_arg(interp, args, 1, loc, "remove")) if len(args) > 1 else i
        if not 0 <= i <= j < len(self.data):
            raise interp.error(f"Vector.remove({i}, {j}) is outside the vector (size {len(self.data)})", loc)
        interp.work(len(self.data), loc)
        self.data = self.data[:i] + self.data[j + 1:]
        return self

    def m_indwhere(self, interp, args, loc):
        """`v.indwhere(op, x[, y])`: the first index whose element satisfies the test, or -1 (comparisons
        within float_epsilon, as hoc's)."""
        op = string_arg(interp, args, 0, loc, "indwhere")
        x = number_arg(interp, args, 1, loc, "indwhere")
        y = number_arg(interp, args, 2, loc, "indwhere") if len(args) > 2 else 0.0
        e = interp.model.globals["float_epsilon"]
        tests = {"==": lambda v: abs(v - x) <= e, "!=": lambda v: abs(v - x) > e, ">": lambda v: v > x + e,
                 "<": lambda v: v < x - e, ">=": lambda v: v >= x - e, "<=": lambda v: v <= x + e,
                 "[]": lambda v: x - e <= v <= y + e, "()": lambda v: x + e < v < y - e,
                 "[)": lambda v: x - e <= v < y - e, "(]": lambda v: x + e < v <= y + e}
        test = tests.get(op)
        if test is None:
            raise interp.error(f"Vector.indwhere: unknown test {op!r}", loc)
        interp.work(len(self.data), loc)
        for i, v in enumerate(self.data):
            if test(v):
                return float(i)
        return -1.0

    def copy_range(self, interp, args, loc):
        """`dest.copy(src, dest_start)`, `copy(src, src_start, src_end)`, `copy(src, dest_start, src_start,
        src_end)`: the elements put in place, dest grown (with 0s) where they reach past its end, never shrunk."""
        src = _vector_arg(self, interp, args, 0, loc, "copy")
        nums = [int(number_arg(interp, args, k, loc, "copy")) for k in range(1, len(args))]
        if not all(is_number(a) for a in args[1:]) or len(nums) > 3:
            raise interp.error("Vector.copy: unknown argument form", loc)
        dest_start, lo, hi = 0, 0, len(src.data) - 1
        if len(nums) == 1:
            dest_start = nums[0]
        elif len(nums) == 2:
            lo, hi = nums
        else:
            dest_start, lo, hi = nums
        if hi == -1:
            hi = len(src.data) - 1
        if dest_start < 0 or lo < 0 or hi >= len(src.data) or hi < lo - 1:
            raise interp.error(f"Vector.copy: range {lo}..{hi} (to {dest_start}) is outside the vectors", loc)
        part = src.data[lo:hi + 1]
        need = dest_start + len(part)
        data = list(self.data)
        if need > len(data):
            self._reserve(interp, need, loc)
            data += [0.0] * (need - len(data))
        data[dest_start:need] = part
        self.data = data
        return self
