"""`new ParallelContext()` in one process (NEURON run without MPI): id() 0, nhost() 1, gids on this process.

As NEURON 9.0.2's src/nrniv/netpar.cpp (`BBS::set_gid2node`, `cell`, `gid_exists`, `threshold`,
`gid_connect`, `spike_record`, `netpar_mindelay`): a gid is a spike source (the PreSyn of the NetCon
given to `cell(gid, nc)`); `gid_connect(srcgid, target)` is a NetCon from it (from a gid no cell of
this process owns: an input that never fires, as in one process); `spike_record(gid or -1, tvec,
idvec)` records the gids' spikes with their gid; `psolve(t)` runs to t as `continuerun(t)`.
`source_var`, `target_var` and `setup_transfer` (a segment's v copied into a point process's variable) are
`bridge.hoc.partrans`. The bulletin board (post/look/take, pack/unpack, submit/working) is
`bridge.hoc.bulletin` and `bridge.hoc.bulletin_jobs`; `runworker` and `done` return at once, as on NEURON's one
process (bbs.cpp `BBSImpl::worker`: the master returns). `multisplit` (a model's own) is refused. Every one is
`ParallelContext[0]`.
"""

from __future__ import annotations

from bridge.hoc import partrans
from bridge.hoc.arguments import number_arg
from bridge.hoc.bulletin_jobs import BulletinMethods, Worker
from bridge.hoc.netcon import NetConObject, PreSyn, events_of
from bridge.hoc.objects import BuiltinObject
from bridge.hoc.stdrun import continuerun
from bridge.hoc.values import FuncRef, is_number

NO_OPS = ("barrier", "runworker", "done", "spike_compress")


class ParallelContext(BulletinMethods, BuiltinObject):
    """NEURON's ParallelContext on one process (netpar.cpp, ocbbs.cpp)."""

    cls = "ParallelContext"

    def __init__(self, interp, args, loc):
        self.index = 0
        self.worker = Worker()  # its side of the bulletin board (bridge.hoc.bulletin_jobs)

    def hoc_ref(self, interp, name, indices, loc):
        """`pc.nhost`, `pc.id`, `pc.working` without parentheses call the method, as every method of a built-in
        class (hoc_oop.cpp hoc_object_component): netparmpi.hoc's `nhost = pc.nhost`."""
        if (name in ("id", "nhost", "nthread", "nthread_id", "id_world", "nhost_world", "id_bbs", "nhost_bbs")
                or name in NO_OPS or hasattr(self, "m_" + name)):
            def read_only(value):
                raise interp.error(f"ParallelContext.{name} is a method; it cannot be assigned", loc)

            return FuncRef(lambda: self.hoc_call(interp, name, [], loc), read_only)
        raise interp.refuse(f"ParallelContext.{name} is not supported", loc)

    def hoc_call(self, interp, name, args, loc):
        if name in ("id", "nthread_id", "id_world", "id_bbs"):
            return 0.0
        if name in ("nhost", "nthread", "nhost_world", "nhost_bbs"):
            if name == "nthread" and args and is_number(args[0]) and float(args[0]) > 1:
                interp.model.gui_calls.setdefault("ParallelContext.nthread(n > 1) (bridge runs one thread)", loc)
            return 1.0
        method = getattr(self, "m_" + name, None)
        if method is not None:
            return method(interp, args, loc)
        if name in ("source_var", "target_var", "setup_transfer"):  # gap junctions (bridge.hoc.partrans)
            return getattr(partrans, name)(interp, args, loc)
        if name in NO_OPS:
            return 0.0
        if name == "multisplit":
            # a model's own split (src/nrniv/multisplit.cpp): it disconnects sections and NEURON joins the pieces
            # at nodes of one split id, which bridge's tree does not follow (ParallelComputeTool's multisplit(1),
            # which keeps the cable as it was, is accepted: bridge.hoc.parcom)
            raise interp.refuse("ParallelContext.multisplit() is not supported: NEURON joins the pieces of a split "
                                "cell at nodes of one split id, which bridge does not follow", loc)
        if name == "psolve":
            return continuerun(interp, args, loc)
        raise interp.refuse(f"ParallelContext.{name}() is not supported (bridge runs one process)", loc)

    def m_time(self, interp, args, loc):
        """`pc.time()`: NEURON's wall clock [s] (ocbbs.cpp pctime), read by models to print elapsed times; bridge
        gives 0, as its `startsw()` (a run's output does not depend on the clock), and lists the call."""
        interp.model.gui_calls.setdefault("ParallelContext.time() (the wall clock: 0 in bridge, as startsw)", loc)
        return 0.0

    def m_timeout(self, interp, args, loc):
        """`pc.timeout([seconds])`: sets NEURON's one timeout (0 to 10000, truncated; no argument: 0) and returns
        the one before, 20 at start (src/parallel/ocbbs.cpp `set_timeout`, src/nrniv/netpar.cpp
        `nrn_set_timeout`). bridge runs no timer: only the number is kept."""
        new = 0
        if args:
            x = number_arg(interp, args, 0, loc, "ParallelContext.timeout")
            if not 0 <= x <= 10000:
                raise interp.error("ParallelContext.timeout: arg 1 out of range", loc)
            new = int(x)
        ev = events_of(interp.model)
        old, ev.timeout = ev.timeout, new
        return float(old)

    # -- gids ----------------------------------------------------------------------------
    def _gid(self, interp, args, loc, k: int = 0) -> int:
        if len(args) <= k or not is_number(args[k]) or float(args[k]) < 0:
            raise interp.error("ParallelContext: a gid (a number >= 0) is needed", loc)
        return int(float(args[k]))

    def m_set_gid2node(self, interp, args, loc):
        gid = self._gid(interp, args, loc)
        if len(args) < 2 or not is_number(args[1]):
            raise interp.error("set_gid2node(gid, id)", loc)
        if int(float(args[1])) != 0:
            return 0.0  # another host's gid (there is none)
        ev = events_of(interp.model)
        if gid in ev.gid_inputs:
            raise interp.error(f"gid={gid} already exists as an input port. Setup all the output ports on this "
                               "process before using them as input ports.", loc)
        if gid in ev.gids:
            raise interp.error(f"gid={gid} already exists on this process as an output port", loc)
        ev.gids[gid] = None
        return 0.0

    def m_cell(self, interp, args, loc):
        gid = self._gid(interp, args, loc)
        ev = events_of(interp.model)
        if gid in ev.gid_inputs:
            raise interp.error(f"gid={gid} is in the input list. Must register with pc.set_gid2node prior to "
                               "connecting", loc)
        if gid not in ev.gids:
            raise interp.error(f"gid={gid} has not been set on rank 0", loc)
        nc = args[1] if len(args) > 1 else None
        if not isinstance(nc, NetConObject):
            raise interp.error("ParallelContext.cell(gid, netcon): the second argument must be a NetCon", loc)
        ps = nc.presyn
        if ps is None:
            raise interp.error(f"pc.cell second arg, {nc}, has no source", loc)
        if ps.gid is not None and ps.gid != gid:
            raise interp.error(f"Can't associate gid {gid}. PreSyn already associated with gid {ps.gid}.", loc)
        ps.gid = gid
        ev.gids[gid] = ps
        interp.model.mutations += 1
        return 0.0

    def m_gid_exists(self, interp, args, loc):
        ev = events_of(interp.model)
        gid = self._gid(interp, args, loc)
        if gid in ev.gids:
            return 3.0 if ev.gids[gid] is not None else 1.0  # nrn_gid_exists
        return 0.0

    def m_threshold(self, interp, args, loc):
        ev = events_of(interp.model)
        ps = ev.gids.get(self._gid(interp, args, loc))
        if ps is None:
            raise interp.error("gid not associated with spike generation location", loc)
        if len(args) > 1:
            ps.threshold = float(args[1])
            interp.model.mutations += 1
        return ps.threshold

    def m_gid_connect(self, interp, args, loc):
        from bridge.hoc.netcon import ArtificialCellObject, _is_point

        gid = self._gid(interp, args, loc)
        target = args[1] if len(args) > 1 else None
        if not (_is_point(target) or isinstance(target, ArtificialCellObject)):
            raise interp.error("arg 2 must be a point process", loc)
        if len(args) > 2:
            raise interp.refuse("gid_connect(gid, target, netcon) (reconnecting a NetCon) is not supported", loc)
        ev = events_of(interp.model)
        if gid in ev.gids:
            ps = ev.gids[gid]
            if ps is None:
                raise interp.error(f"gid {gid} owned by 0 but no associated cell", loc)
        else:
            ps = ev.gid_inputs.get(gid)
            if ps is None:
                ps = ev.gid_inputs[gid] = PreSyn("gid", None, f"gid {gid} (input)")
                ps.gid, ps.seq = gid, ev.next()
        return NetConObject(interp, [], loc, presyn=ps, target=target)

    def m_spike_record(self, interp, args, loc):
        from bridge.hoc.spike_records import mark_spike_vectors
        from bridge.hoc.vector import Vector

        if len(args) != 3 or not isinstance(args[1], Vector) or not isinstance(args[2], Vector):
            raise interp.error("spike_record(gid, tvec, idvec)", loc)
        ev = events_of(interp.model)
        if isinstance(args[0], Vector):
            gids = [int(g) for g in args[0].data]
        elif is_number(args[0]) and float(args[0]) >= 0:
            gids = [int(float(args[0]))]
        elif is_number(args[0]):  # -1: every gid with a cell now (BBS::spike_record)
            gids = [g for g, ps in ev.gids.items() if ps is not None]
        else:
            raise interp.error("spike_record(gid, tvec, idvec)", loc)
        for gid in gids:
            ps = ev.gids.get(gid)
            if ps is None:
                raise interp.error(f"spike_record: gid {gid} has no cell on this process", loc)
            ps.records = [(args[1], args[2], float(gid))]
        mark_spike_vectors(interp, args[1:3])
        interp.model.mutations += 1
        return 0.0

    def m_set_maxstep(self, interp, args, loc):
        """The minimum delay of the NetCons from input gids (none in one process: the argument)."""
        if not args or not is_number(args[0]):
            raise interp.error("set_maxstep(maxstep)", loc)
        md = float(args[0])
        ev = events_of(interp.model)
        inputs = {id(ps) for ps in ev.gid_inputs.values()}
        for nc in list(ev.netcons.values()):
            if nc.presyn is not None and id(nc.presyn) in inputs:
                md = min(md, nc.delay)
        return md

    def _owned(self, interp, args, loc) -> PreSyn:
        ps = events_of(interp.model).gids.get(self._gid(interp, args, loc))
        if ps is None:
            raise interp.error("gid not associated with a cell on this process", loc)  # nrn_assert in NEURON
        return ps

    def m_gid2obj(self, interp, args, loc):
        """The object of the gid's source: the artificial cell or point process (NetCon(pp, nil)), or the cell
        (template object) owning the section of a `&v(x)` source (measured in NEURON 9.0.2)."""
        ps = self._owned(interp, args, loc)
        return ps.where() if ps.kind in ("cell", "point") else ps.where[0].owner

    def m_gid2cell(self, interp, args, loc):
        """As gid2obj, but a point process in a cell's section gives the cell (template object) owning the
        section, a point process in a top-level section itself (measured in NEURON 9.0.2)."""
        ps = self._owned(interp, args, loc)
        if ps.kind == "point":
            pp = ps.where()
            sec = getattr(pp, "_sec", None)
            return sec.owner if sec is not None and sec.owner is not None else pp
        return self.m_gid2obj(interp, args, loc)

    def m_outputcell(self, interp, args, loc):
        self._owned(interp, args, loc)  # BBS::outputcell: on one process only the gid's own spikes, kept as they are
        return 0.0
