"""NEURON's Vector as models use it: doubles in a Python list, charged to the session's memory."""

from __future__ import annotations

import math
import re
from array import array

from bridge.errors import BridgeError
from bridge.hoc import ast, budget, hoc_records, vector_scan
from bridge.hoc.arguments import number_arg, size_arg, string_arg, subscript
from bridge.hoc.datafiles import File
from bridge.hoc.formatting import number_formatter
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.values import FuncRef, Ref, StrVar, is_number
from bridge.hoc.vector_ops import VectorOps

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class VectorElement(FuncRef):
    """`vec.x[i]` as a reference: `&vec.x[0]` names the Vector's data from i on (FUNCTION_TABLE values)."""

    def __init__(self, getter, setter, vector: Vector, index: int):
        super().__init__(getter, setter)
        self.vector, self.index = vector, index


class Vector(VectorOps, BuiltinObject):
    """NEURON's Vector: doubles in a Python list. `data` is charged to the session's memory
    (`budget.VECTOR_ELEMENT_BYTES` an element): a method that grows it reserves the new size
    first (`_reserve`), so a request over Limits.max_memory fails before anything is allocated."""

    holds_hoc_objects = lifetime_relevant = False  # no template object or point process (bridge.hoc.ref_drops)

    cls = "Vector"

    def __init__(self, interp, args, loc):
        super().__init__(interp)
        self._charge = interp.memory.charge(self)
        self._data: list[float] = []
        n = size_arg(interp, args, 0, loc, "Vector") if args else 0
        fill = float(args[1]) if len(args) > 1 else 0.0
        self._reserve(interp, n, loc)
        self.data = [fill] * n
        self.recording: str | None = None  # what record() asked for, e.g. "soma.v(0.5)"
        self._recording = None  # its bridge.hoc.protocol.Recording
        self._label = ""  # vec.label("...")
        self._filled = -1  # the live run's epoch when `data` was last filled from it

    @property
    def data(self) -> list[float]:
        return self._data

    @data.setter
    def data(self, values: list[float]) -> None:
        self._charge.resize(len(values) * budget.VECTOR_ELEMENT_BYTES, f"a Vector of {len(values)} elements")
        self._data = values

    def _reserve(self, interp, n: int, loc, made: int | None = None) -> None:
        """About to hold `n` elements: charge their memory (refused over the budget) and the
        work of making `made` of them (default all `n`; append makes only the new ones, amortized
        as NEURON's std::vector growth)."""
        self._charge.resize(max(n, len(self._data)) * budget.VECTOR_ELEMENT_BYTES, f"a Vector of {n} elements")
        interp.work(0, loc, (n if made is None else made) * 8)

    def check_filled(self, interp, loc) -> None:
        """A recording Vector holds what NEURON recorded since finitialize(): filled from the session's live run
        (`bridge.hoc.live`, simulating what is pending) when HOC reads it."""
        fill = getattr(self, "_spike_fill", None)  # NetCon.record, spike_record: bridge.hoc.netcon fills it
        if fill is not None:
            fill(interp, loc)
        rec = self._recording
        live = interp.model.live
        if rec is None or interp.model.initialized is None or self._filled == live.epoch:
            return
        try:
            values = live.recorded(rec, max(1, interp.limits.max_memory // budget.VECTOR_ELEMENT_BYTES))
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        if values is None:
            if interp.model.advanced_to is not None and live.started():
                raise interp.error(f"{self} records {self.recording}, set after finitialize(): bridge records from "
                                   "the next finitialize() on (call record() before the run)", loc)
            return
        self._reserve(interp, len(values), loc)
        self.data = values
        self._filled = live.epoch

    def hoc_call(self, interp, name, args, loc):
        if name != "record":
            self.check_filled(interp, loc)
        for a in args:
            if isinstance(a, Vector):
                a.check_filled(interp, loc)
        return super().hoc_call(interp, name, args, loc)

    def hoc_ref(self, interp, name, indices, loc):
        self.check_filled(interp, loc)
        if name != "x":
            return super().hoc_ref(interp, name, indices, loc)
        i = indices[0] if indices else 0
        if not 0 <= i < len(self.data):
            raise interp.error(f"{self}.x[{i}] is outside the vector (size {len(self.data)})", loc)

        def set_(v):
            self.data[i] = float(v)

        return VectorElement(lambda: self.data[i], set_, vector=self, index=i)

    def m_label(self, interp, args, loc):
        """`vec.label("name")` sets the Vector's label (a name for graphs and printouts), `vec.label()` reads it;
        both return it (ivocvect.cpp `v_label`)."""
        if args:
            self._label = string_arg(interp, args, 0, loc, "Vector.label")
        return self._label

    def m_size(self, interp, args, loc):
        return float(len(self.data))

    def m_resize(self, interp, args, loc):
        n = size_arg(interp, args, 0, loc, "resize")
        self._reserve(interp, n, loc)
        self.data = self.data[:n] + [0.0] * (n - len(self.data))
        return self

    def m_append(self, interp, args, loc):
        for a in args:
            if not isinstance(a, Vector) and not is_number(a):
                raise interp.error(f"{self}.append: arguments must be numbers or Vectors", loc)
        added = sum(len(a.data) if isinstance(a, Vector) else 1 for a in args)
        self._reserve(interp, len(self.data) + added, loc, made=added)
        for a in args:
            self._data.extend(a.data if isinstance(a, Vector) else [float(a)])
        return self

    def m_apply(self, interp, args, loc):
        """`vec.apply("func"[, start, end])`: each element (of start..end) replaced by func(element), func a HOC
        func or a built-in function found as HOC finds the name (ivocvect.cpp v_apply); returns the Vector."""
        if not args or not isinstance(args[0], (str, StrVar)):
            raise interp.error("Vector.apply: the first argument must be a function's name", loc)
        if len(args) > 3:
            raise interp.error("Vector.apply: too many parameters", loc)
        name = args[0].value if isinstance(args[0], StrVar) else args[0]
        if not _IDENTIFIER.fullmatch(name):
            raise interp.error(f"Vector.apply: {name!r} is not a function name", loc)
        top = len(self.data) - 1
        start, end = 0, top
        if len(args) == 2:
            raise interp.error("Vector.apply: give both start and end", loc)
        if len(args) == 3:
            start = int(number_arg(interp, args, 1, loc, "Vector.apply"))
            end = int(number_arg(interp, args, 2, loc, "Vector.apply"))
            if not 0 <= start <= top or not start <= end <= top:
                raise interp.error(f"Vector.apply: start {start} and end {end} must be in 0..{top}", loc)
        func = ast.Name(loc, name)
        for i in range(start, end + 1):
            self.data[i] = float(interp.eval(ast.Call(loc, func, [ast.Num(loc, self.data[i])])))
        return self

    def m_fill(self, interp, args, loc):
        interp.work(len(self.data), loc)
        self.data = [float(args[0])] * len(self.data)
        return self

    def m_indgen(self, interp, args, loc):
        """indgen(), indgen(step), indgen(start, step) fill the Vector's elements; indgen(start, stop, step)
        resizes it to floor((stop - start)/step + 1e-9) + 1 elements first (ivocvect.cpp v_indgen)."""
        nums = [float(number_arg(interp, args, i, loc, "indgen")) for i in range(min(len(args), 3))]
        start, step, n = 0.0, 1.0, len(self.data)
        if len(nums) >= 3:
            start, end, step = nums
            if abs(step) > abs(end - start):
                raise interp.error(f"indgen: arg 3 out of range: {step:g}", loc)
            if step == 0:
                raise interp.error("indgen: a step of 0", loc)  # NEURON divides by it
            xn = math.floor((end - start) / step + 1e-9) + 1.0
            if xn < 0:
                raise interp.error("indgen: empty set", loc)
            n = int(xn)
            self._reserve(interp, n, loc)
        elif len(nums) == 2:
            start, step = nums
        elif nums:
            step = nums[0]
        interp.work(n, loc)
        self.data = [i * step + start for i in range(n)]
        return self

    def m_x(self, interp, args, loc):
        return self.hoc_ref(interp, "x", [subscript(interp, number_arg(interp, args, 0, loc, "x"))], loc).get()

    def m_sum(self, interp, args, loc):
        interp.work(len(self.data), loc)
        return float(sum(self.data))

    def m_dot(self, interp, args, loc):
        """`v.dot(w)`: the sum of products, added in order from 0 (ivocvect.cpp v_dot). Vectors of different
        sizes are an error: NEURON then reads past the shorter one's end."""
        w = args[0] if len(args) == 1 and isinstance(args[0], Vector) else None
        if w is None:
            raise interp.error("Vector.dot needs one Vector argument", loc)
        if len(w.data) != len(self.data):
            raise interp.error(f"Vector.dot of vectors of sizes {len(self.data)} and {len(w.data)}", loc)
        interp.work(len(self.data), loc)
        total = 0.0
        for a, b in zip(self.data, w.data):
            total += a * b
        return total

    def m_max(self, interp, args, loc):
        interp.work(len(self.data), loc)
        return float(max(self.data))

    def m_min(self, interp, args, loc):
        interp.work(len(self.data), loc)
        return float(min(self.data))

    def m_c(self, interp, args, loc):
        """`v.c()`: a copy; `v.c(start[, end])`: a copy of elements start..end (end: the last)."""
        lo, hi = 0, len(self.data) - 1
        if args:
            lo = int(number_arg(interp, args, 0, loc, "c"))
            hi = int(number_arg(interp, args, 1, loc, "c")) if len(args) > 1 else hi
            if not 0 <= lo <= hi + 1 or hi >= len(self.data):
                raise interp.error(f"Vector.c({lo}, {hi}) is outside the vector (size {len(self.data)})", loc)
        v = Vector(interp, [], loc)
        v._reserve(interp, hi - lo + 1, loc)
        v.data = self.data[lo:hi + 1]
        return v

    def m_sortindex(self, interp, args, loc):
        """`v.sortindex([dest])`: the indices that sort v ascending (ivocvect.cpp v_sortindex: C's qsort; equal
        values keep their order, as glibc's merge sort does)."""
        dest = args[0] if args and isinstance(args[0], Vector) else Vector(interp, [], loc)
        order = sorted(range(len(self.data)), key=self.data.__getitem__)
        dest._reserve(interp, len(order), loc)
        dest.data = [float(i) for i in order]
        return dest

    def m_record(self, interp, args, loc):
        """`vec.record(&var)`, `vec.record(&var, Dt)`, `vec.record(&var, tvec)`, each optionally after a point
        process (`vec.record(pp, &t, Dt)`: NEURON uses it only to find the thread). With Dt or tvec the Vector
        holds the samples of NEURON's record events (`bridge.solver.record_events`)."""
        if args and not isinstance(args[0], Ref) and hasattr(args[0], "pp"):
            args = args[1:]  # the point process that names the thread (netcvode.cpp NetCvode::record)
        if not args or not isinstance(args[0], Ref):
            raise interp.error("Vector.record needs a pointer argument, e.g. &soma.v(0.5)", loc)
        record_dt, record_times = None, None
        if len(args) > 2:
            raise interp.error("Vector.record takes (&var), (&var, Dt) or (&var, tvec)", loc)
        if len(args) == 2:
            if isinstance(args[1], Vector):
                record_times = args[1]
            elif is_number(args[1]) and float(args[1]) > 0:
                record_dt = float(args[1])
            else:
                raise interp.error("Vector.record(&var, Dt) needs Dt > 0 or a time Vector", loc)
        from bridge.hoc.play import record_removes_plays, record_removes_records

        record_removes_plays(interp, self, loc)
        record_removes_records(interp, self, loc)
        if hoc_records.is_hoc_variable(args[0]):  # &var of a HOC variable: sampled as HOC runs (bridge.hoc.hoc_records)
            if len(args) > 1:
                raise interp.refuse("Vector.record(&var, Dt or tvec) of a HOC variable is not supported (NEURON "
                                    "samples it at record events; bridge samples a HOC variable at each step)", loc)
            hoc_records.start(interp, self, args[0], loc)
            self._recording, self.recording = None, "a HOC variable"
            return self
        hoc_records.stop(interp.model, self)
        interp.model.record(args[0], str(self), loc, interp)
        rec = interp.model.recordings[-1]
        if record_times is not None and rec.section is None and rec.variable == "t":
            raise interp.refuse("Vector.record(&t, tvec) is not supported (it records tvec's times as NEURON's "
                                "global t stood when each event was delivered)", loc)
        rec.record_dt, rec.record_times = record_dt, record_times
        self._recording = rec
        self._filled = -1
        self.recording = (f"{rec.point_process}.{rec.variable}" if rec.point_process else rec.variable
                          if rec.section is None else f"{rec.section}.{rec.variable}({rec.x:g})")
        return self

    def m_play(self, interp, args, loc):
        """`vec.play(&var, dt)`, `vec.play(&var, tvec[, continuous])` (`bridge.hoc.play`)."""
        from bridge.hoc.play import parse
        from bridge.hoc.vector_play_element import play_into_element

        if args and isinstance(args[0], VectorElement):  # &vec.x[i]: a LinearMechanism's b (LinearCircuit)
            play_into_element(interp, self, args[0], args, loc)
            return self
        index = args[1:] if args and hasattr(args[0], "pp") and hasattr(args[0], "info") else args
        if index and is_number(index[0]):  # vec.play(index): play_one now (bridge.hoc.play.play_index)
            from bridge.hoc.play import play_index

            play_index(interp, self, float(index[0]), loc)
            return self
        interp.model.plays.append(parse(interp, self, args, loc))
        interp.model.mutations += 1
        return self

    def m_setrand(self, interp, args, loc):
        """`vec.setrand(r[, start, end])`: elements drawn by r.repick() (`bridge.hoc.random`)."""
        from bridge.hoc.random import setrand

        setrand(interp, self, args, loc)
        return self

    def m_play_remove(self, interp, args, loc):
        """The Vector plays no more (`bridge.hoc.play.remove`)."""
        from bridge.hoc.play import remove
        from bridge.hoc.vector_play_element import stop

        stop(self)
        try:
            remove(interp, self, loc)
        except BridgeError as err:
            raise interp.error(str(err), loc) from None
        return 1.0  # NEURON's v_play_remove returns 1

    def _index(self, interp, args, loc, name):
        i = int(number_arg(interp, args, 0, loc, name))
        if not 0 <= i < len(self.data):
            raise interp.error(f"{self}.{name}({i}) is outside the vector (size {len(self.data)})", loc)
        return i

    def m_set(self, interp, args, loc):
        self.data[self._index(interp, args, loc, "set")] = number_arg(interp, args, 1, loc, "set")
        return self

    def m_get(self, interp, args, loc):
        return self.data[self._index(interp, args, loc, "get")]

    def _elementwise(self, interp, args, loc, name, op):
        interp.work(len(self.data), loc)
        other = args[0] if args else None
        if isinstance(other, Vector):
            if len(other.data) != len(self.data):
                raise interp.error(f"{self}.{name}: vectors of different sizes", loc)
            self.data = [op(a, b) for a, b in zip(self.data, other.data)]
        else:
            b = number_arg(interp, args, 0, loc, name)
            self.data = [op(a, b) for a in self.data]
        return self

    def m_add(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "add", lambda a, b: a + b)

    def m_sub(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "sub", lambda a, b: a - b)

    def m_mul(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "mul", lambda a, b: a * b)

    def m_div(self, interp, args, loc):
        return self._elementwise(interp, args, loc, "div", lambda a, b: a / b)

    def m_mean(self, interp, args, loc):
        if not self.data:
            raise interp.error(f"{self}.mean() of an empty vector", loc)
        interp.work(len(self.data), loc)
        return float(sum(self.data) / len(self.data))

    def m_reverse(self, interp, args, loc):
        interp.work(0, loc, len(self.data) * 8)
        self.data.reverse()
        return self

    def m_copy(self, interp, args, loc):
        if not args or not isinstance(args[0], Vector):
            raise interp.error("Vector.copy(source) needs a Vector", loc)
        if len(args) > 1:  # the forms with start and end indices (bridge.hoc.vector_ops)
            return self.copy_range(interp, args, loc)
        self._reserve(interp, len(args[0].data), loc)
        self.data = list(args[0].data)
        return self

    def m_insrt(self, interp, args, loc):
        """insrt(i, x1 or vec1, ...): the numbers and Vectors inserted before element i, 0 <= i <= size
        (ivocvect.cpp v_insert)."""
        n = len(self.data)
        i = number_arg(interp, args, 0, loc, "Vector.insrt")
        if not 0 <= i <= n:
            raise interp.error(f"Vector.insrt: arg 1 out of range: {i:g} (size {n})", loc)
        items: list[float] = []
        for a in args[1:]:
            if a is self:
                raise interp.error("Vector.insrt: a Vector cannot be inserted into itself", loc)
            if isinstance(a, Vector):
                items.extend(a.data)
            elif is_number(a):
                items.append(float(a))
            else:
                raise interp.error(f"{self}.insrt: arguments after the index must be numbers or Vectors", loc)
        self._reserve(interp, n + len(items), loc)
        k = int(i)
        self.data = self.data[:k] + items + self.data[k:]
        return self

    def m_interpolate(self, interp, args, loc):
        """interpolate(xdest, xsrc[, ysrc]): the Vector becomes ysrc (default: the Vector itself) linearly
        interpolated at xdest's points from the table (xsrc, ysrc), constant outside it; a point of xsrc not
        above the one before is skipped (ivocvect.cpp v_interpolate, loop for loop)."""
        for k in (0, 1, 2):
            if (k < 2 or len(args) > 2) and (len(args) <= k or not isinstance(args[k], Vector)):
                raise interp.error(f"Vector.interpolate: argument {k + 1} must be a Vector", loc)
        if any(a is self for a in args[1:3]):
            raise interp.error("Vector.interpolate: the source cannot be the Vector itself (NEURON overwrites it "
                               "while reading it)", loc)
        xd, xs = args[0].data, args[1].data
        ys = list(args[2].data if len(args) > 2 else self.data)
        ns, nd = len(xs), len(xd)
        if ns == 0 or len(ys) < ns:
            raise interp.error(f"Vector.interpolate: the source has {ns} x values and {len(ys)} y values (NEURON "
                               "reads outside its vectors)", loc)
        self._reserve(interp, nd, loc)
        interp.work(nd + ns, loc)
        yd = list(self.data[:nd]) + [0.0] * (nd - len(self.data))
        i = 0
        while i < nd and xd[i] <= xs[0]:  # before the domain
            yd[i] = ys[0]
            i += 1
        j = 1
        while j < ns and i < nd:  # in the domain
            if xs[j] > xs[j - 1]:
                while xd[i] <= xs[j]:
                    thet = (xd[i] - xs[j - 1]) / (xs[j] - xs[j - 1])
                    yd[i] = (1. - thet) * ys[j - 1] + thet * ys[j]
                    i += 1
                    if i >= nd:
                        break
            j += 1
        while i < nd:  # after the domain
            yd[i] = ys[ns - 1]
            i += 1
        self.data = yd
        return self

    def _graph(self, interp, name, loc):
        """Vector.plot/line/mark/ploterr draw into a Graph: batch NEURON (no GUI), which bridge matches,
        returns the Vector and draws nothing (ivocvect.cpp v_plot, v_line, v_mark, v_ploterr: all under
        `if (hoc_usegui)`); noted with the GUI calls (`bridge.hoc.gui`)."""
        interp.model.gui_calls.setdefault(f"Vector.{name}", loc)
        return self

    def m_plot(self, interp, args, loc):
        return self._graph(interp, "plot", loc)

    def m_line(self, interp, args, loc):
        return self._graph(interp, "line", loc)

    def m_mark(self, interp, args, loc):
        return self._graph(interp, "mark", loc)

    def m_ploterr(self, interp, args, loc):
        return self._graph(interp, "ploterr", loc)

    def m_scanf(self, interp, args, loc):
        return vector_scan.scanf(self, interp, args, loc)

    def m_fwrite(self, interp, args, loc):
        """fwrite(file[, start, end]): the elements as native doubles (ivocvect.cpp v_fwrite)."""
        if not args or not isinstance(args[0], File):
            raise interp.error("Vector.fwrite(file) needs a File opened with wopen", loc)
        top = len(self.data) - 1
        start, end = 0, top
        if len(args) > 1:
            start = int(number_arg(interp, args, 1, loc, "Vector.fwrite"))
            end = int(number_arg(interp, args, 2, loc, "Vector.fwrite"))
            if not (0 <= start <= top and start <= end <= top):
                raise interp.error(f"Vector.fwrite: range {start}..{end} is outside the vector (size {top + 1})", loc)
        interp.charge(len(self.data) // 16, loc)
        if end >= start:
            args[0].write_bytes(interp, array("d", self.data[start:end + 1]).tobytes(), loc)
        return float(end - start + 1)

    def m_printf(self, interp, args, loc):
        """printf([file,] [format,] [start, end]) as ivocvect.cpp v_printf: to stdout "%g\t" with a
        newline after every 5 elements and at the end; to a File "%g\n" and one newline at the end;
        a format given: that format, and no extra newlines on stdout."""
        out = args[0] if args and isinstance(args[0], File) else None
        if args and out is None and not isinstance(args[0], (str, StrVar)) and not is_number(args[0]):
            raise interp.error("Vector.printf: argument 1 must be a File (opened with wopen), a format or a "
                               "number", loc)
        rest = args[1:] if out is not None else args
        fmt, extra = ("%g\n" if out is not None else "%g\t"), out is None
        if rest and isinstance(rest[0], (str, StrVar)):
            fmt, extra, rest = (rest[0].value if isinstance(rest[0], StrVar) else rest[0]), False, rest[1:]
        top = len(self.data) - 1
        start, end = 0, top
        if rest:
            start = int(number_arg(interp, rest, 0, loc, "Vector.printf"))
            end = int(number_arg(interp, rest, 1, loc, "Vector.printf"))
            if not (0 <= start <= top and start <= end <= top):
                raise interp.error(f"Vector.printf: range {start}..{end} is outside the vector (size {top + 1})", loc)
        interp.charge(end - start + 1, loc)  # formatting a number: about a statement's time
        write = (lambda text: out.write(interp, text, loc)) if out is not None else interp.write
        form = number_formatter(interp, fmt, self.data[start], loc) if end >= start else None
        block = 4096  # written in blocks: no string of the whole Vector at once
        for i0 in range(start, end + 1, block):
            parts = []
            for i in range(i0, min(i0 + block, end + 1)):
                parts.append(form(self.data[i]))
                if extra and (i - start + 1) % 5 == 0:
                    parts.append("\n")
            write("".join(parts))
        if out is not None or extra:
            write("\n")
        return float(end - start + 1)
