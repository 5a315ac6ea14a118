"""ParallelContext's jobs in one process: `submit`, `working`, `retval`, `userid`, `context`, and the board's
methods as HOC calls them (`BulletinMethods`, a base of `bridge.hoc.parallel.ParallelContext`).

As NEURON 9.0.2 without MPI (src/parallel/bbs.cpp `BBSImpl::submit`, `working`, `execute`; bbslocal.cpp;
bbslsrv.cpp `BBSLocalServer`; ocbbs.cpp `submit_help`, `execute_helper`, `return_args`):

- `submit([userid,] "statement")`, `submit([userid,] "fname", args...)`, `submit([userid,] obj, "fname", args...)`
  queue a job and return its user id (given, or -1, -2, ... counted per ParallelContext); the arguments
  (numbers, strings, Vectors) are copied into the job when it is submitted.
- `working()` returns 0 when this ParallelContext has no job of its own outstanding; else it runs queued jobs in
  this process until one of them has a result, and returns that job's id (1, 2, ...: one counter for the
  session), `retval()` its value and `userid()` its user id; a job submitted without a user id hands its
  arguments back to `upkscalar()` and the others. Jobs run in submission order, a job's own submissions before
  the jobs queued after it (bbslsrv.cpp `todo_less_than`).
- a job runs as NEURON runs it: `hoc_ac_` is set to its id; a statement runs as top-level HOC text (through
  bridge's interpreter, as `execute`: an expression statement prints its value) and its value is `hoc_ac_`
  after it; a function (a top-level `func` or `proc`, or an object's, named with the object) is called with
  the arguments, and its value (0 for a proc) is the job's value and `hoc_ac_`.
- `context(...)` runs nothing (only workers run it; there are none) but uses up a user id as `submit` does.
Refused (a wrong or undefined answer in NEURON): a job that returns with its own submissions not yet taken by
`working()`, a queue NEURON's ordering would drop or compare through freed memory, results taken by another
ParallelContext than the one that submitted them; Python callables and objects. Jobs running inside each other
nest at most `interp.max_depth` deep; the messages count against the session's memory (`bridge.hoc.bulletin`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from bridge.hoc import bulletin, loader
from bridge.hoc.arguments import string_arg
from bridge.hoc.bulletin import Board, Message, board_of, upkdouble, upkint, upkstr, upkvec
from bridge.hoc.calls import call_proc
from bridge.hoc.names import top_binding
from bridge.hoc.values import Builtin, Frame, HocObject, Proc, StrVar, is_number

MAX_USERID = 2147483647.0  # ocbbs.cpp MD: chkarg(1, 0, MD)


@dataclass
class Worker:
    """One ParallelContext's side of the board: BBSImpl's `working_id_` (the job running, 0 at top level) and
    `n_` (its submissions not yet returned by working()), BBSLocal's `keepargs_` (the messages of jobs
    submitted without a user id, by user id), OcBBS's `retval_`, `userid_` and `next_local_`."""

    working_id: int = 0
    n: int = 0
    kept: dict[int, Message] = field(default_factory=dict)
    retval: float = 0.0
    userid: int = 0
    next_local: int = 0


@dataclass(eq=False)
class Job:
    """BBSLocalServer's `WorkItem`: a job's id, its message (the job; its result once it ran) and its parent (the
    job that submitted it)."""

    id: int
    message: Message | None
    parent: Job | None


class QueueUndefined(Exception):
    """NEURON's job ordering reads through a null parent (undefined behaviour)."""


def _less(a: Job, b: Job) -> bool:
    """bbslsrv.cpp `WorkItem::todo_less_than`: climb the later job's parents until both have one parent, then
    the smaller id first."""
    w1: Job | None = a
    w2: Job | None = b
    while True:
        if w1 is None or w2 is None:
            raise QueueUndefined
        if w1.parent is w2.parent:
            return w1.id < w2.id
        if w1.id < w2.id:
            w2 = w2.parent
        else:
            w1 = w1.parent


def _post_todo(interp, board: Board, parent_id: int, loc) -> Message | None:
    """BBSLocalServer::post_todo: the message being built becomes a job, queued in NEURON's order (a std::set:
    a job equal in that order to one already queued would be dropped, which bridge refuses)."""
    job = Job(board.next_id, board.posting, board.work.get(parent_id))
    board.next_id += 1
    board.posting = None
    todo = board.todo
    lo, hi = 0, len(todo)
    try:
        while lo < hi:
            mid = (lo + hi) // 2
            if _less(todo[mid], job):
                lo = mid + 1
            else:
                hi = mid
        dropped = lo < len(todo) and not _less(job, todo[lo])
    except QueueUndefined:
        dropped = True
    if dropped:
        raise interp.refuse("ParallelContext.submit: NEURON's job queue (bbslsrv.cpp todo_less_than) cannot place "
                            "this job among those queued (it drops it, or compares through a freed job)", loc)
    board.work[job.id] = job
    todo.insert(lo, job)
    return job.message


def submit_message(interp, board: Board, worker: Worker, args: list, loc, what: str) -> int:
    """ocbbs.cpp `submit_help`: the job's message (user id, 0, style, statement or function, argument kinds,
    arguments); its user id."""
    board.packing = True
    bulletin.pkbegin(interp, board)
    i = 0
    if args and is_number(args[0]):
        if not 0 <= float(args[0]) <= MAX_USERID:
            raise interp.error(f"ParallelContext.{what}: arg 1 out of range", loc)
        userid = int(float(args[0]))
        i = 1
    else:
        worker.next_local -= 1
        userid = worker.next_local
    bulletin.pk(interp, board, "int", userid, loc)
    bulletin.pk(interp, board, "int", 0, loc)
    if len(args) > i + 1:
        head = args[i]
        if isinstance(head, (str, StrVar)):
            bulletin.pk(interp, board, "int", 1, loc)
            bulletin.pkstr(interp, board, string_arg(interp, args, i, loc, f"ParallelContext.{what}"), loc)
            i += 1
        elif isinstance(head, HocObject):
            bulletin.pk(interp, board, "int", 2, loc)
            bulletin.pkstr(interp, board, head.template.name, loc)
            bulletin.pk(interp, board, "int", head.index, loc)
            bulletin.pkstr(interp, board, string_arg(interp, args, i + 1, loc, f"ParallelContext.{what}"), loc)
            i += 2
        else:
            raise interp.refuse(f"ParallelContext.{what}({interp.describe(head)}, ...): bridge runs a job named by "
                                "a HOC function's name or a template object and its method's name (not a Python "
                                "callable)", loc)
        kinds, place = 0, 1
        for a in args[i:]:
            kinds += place * (1 if is_number(a) else 2 if isinstance(a, (str, StrVar)) else 3)
            place *= 5
        bulletin.pk(interp, board, "int", kinds, loc)
        bulletin.pack_values(interp, board, args[i:], loc, what)
    elif i < len(args) and isinstance(args[i], (str, StrVar)):
        bulletin.pk(interp, board, "int", 0, loc)
        bulletin.pkstr(interp, board, string_arg(interp, args, i, loc, f"ParallelContext.{what}"), loc)
    elif i < len(args):
        raise interp.refuse(f"ParallelContext.{what}({interp.describe(args[i])}): bridge runs a job given as a "
                            "statement or a HOC function's name (not a Python callable)", loc)
    else:
        raise interp.error(f"ParallelContext.{what}: a statement or a function's name is needed", loc)
    board.packing = False
    return userid


def submit(interp, worker: Worker, args: list, loc) -> int:
    """ocbbs.cpp `submit`, BBSImpl::submit: queue the job under the job running now (0: top level)."""
    board = board_of(interp)
    userid = submit_message(interp, board, worker, args, loc, "submit")
    worker.n += 1
    message = _post_todo(interp, board, worker.working_id, loc)
    if userid < 0 and message is not None:
        worker.kept[userid] = message  # BBSLocal::save_args
    return userid


# -- running jobs -------------------------------------------------------------------------------------------
def _take_todo(board: Board) -> int:
    """BBSLocalServer::look_take_todo: the first job queued becomes the message read; its id (0: none)."""
    board.taking = None
    if not board.todo:
        return 0
    job = board.todo.pop(0)
    board.taking = job.message
    return job.id


def _take_result(board: Board, parent_id: int) -> int:
    """BBSLocalServer::look_take_result: the first result of the jobs submitted by `parent_id`; its id."""
    board.taking = None
    queue = board.results.get(parent_id)
    if not queue:
        return 0
    job = queue.popleft()
    board.taking = job.message
    del board.work[job.id]
    return job.id


def _run_statement(interp, text: str, loc) -> None:
    """hoc_obj_run(statement, nullptr): the text as top-level HOC input, outside any procedure or object."""
    if len(interp.frames) > 1:
        interp.frames.append(Frame("(ParallelContext job at top level)", [], None, loc))
        try:
            loader.run_text(interp, text, f"<ParallelContext job at {loc}>")
        finally:
            interp.frames.pop()
    else:
        loader.run_text(interp, text, f"<ParallelContext job at {loc}>")


def _call(interp, name: str, obj: HocObject | None, args: list, loc) -> float:
    """hoc_call_objfunc(fname, narg, ob): a HOC func (its value), proc (0) or built-in function, at top level
    or in `obj`."""
    if obj is not None:
        b = obj.ns.get(name)
    else:
        frame_obj = interp.frame.obj
        if frame_obj is not None and name in frame_obj.ns:  # hoc_lookup finds the object's, run at top level
            raise interp.refuse(f"ParallelContext job {name!r} submitted inside {frame_obj.hname}, which has a "
                                f"{name} of its own: NEURON would run that one outside its object", loc)
        b = top_binding(interp, name)
    where = obj.hname if obj is not None else "NULLobject"
    if isinstance(b, Proc):
        if b.kind not in ("func", "proc"):
            raise interp.refuse(f"ParallelContext job {name}: an {b.kind} as a job (NEURON reads a number from "
                                "its value)", loc)
        return float(call_proc(interp, b, args, obj, loc))
    if isinstance(b, Builtin) and obj is None:
        value = b.fn(interp, args, loc)
        if not is_number(value):
            raise interp.refuse(f"ParallelContext job {name}: a built-in function that returns no number", loc)
        return float(value)
    raise interp.error(f"{name} not a function in {where}: ParallelContext execution error", loc)


def _run_job(interp, board: Board, loc) -> None:
    """ocbbs.cpp `execute_helper`: the job's statement or call, from its message."""
    from bridge.hoc.vector import Vector

    style = upkint(interp, board, loc)
    if style == 0:
        _run_statement(interp, upkstr(interp, board, loc), loc)
        return
    obj = None
    if style == 2:
        template_name = upkstr(interp, board, loc)
        index = upkint(interp, board, loc)
        template = interp.templates.get(template_name)
        obj = next((o for o in template.instances if o.index == index), None) if template is not None else None
        if obj is None:
            raise interp.error(f"{template_name}[{index}] is not an Object in this process: ParallelContext "
                               "execution error", loc)
    name = upkstr(interp, board, loc)
    kinds = upkint(interp, board, loc)
    args: list = []
    while kinds % 5:
        kind, kinds = kinds % 5, kinds // 5
        if kind == 1:
            args.append(upkdouble(interp, board, loc))
        elif kind == 2:
            args.append(interp.new_str(upkstr(interp, board, loc)))
        else:
            vec = Vector(interp, [], loc)
            values = upkvec(interp, board, loc)
            vec._reserve(interp, len(values), loc)
            vec.data = values
            args.append(vec)
    interp.model.set_global("hoc_ac_", _call(interp, name, obj, args, loc))


def execute(interp, board: Board, worker: Worker, job_id: int, loc) -> None:
    """BBSImpl::execute: run the job taken (its message is the one read) and post its result (user id, 0,
    0, `hoc_ac_`) for the job that submitted it."""
    if board.depth >= interp.max_depth:
        raise interp.error(f"ParallelContext jobs running inside each other deeper than {interp.max_depth}", loc)
    board.depth += 1
    try:
        saved = worker.working_id, worker.n
        worker.working_id, worker.n = job_id, 0
        userid = upkint(interp, board, loc)
        wid = upkint(interp, board, loc)
        interp.model.set_global("hoc_ac_", float(job_id))
        _run_job(interp, board, loc)
        if worker.n:
            raise interp.refuse(f"ParallelContext job {job_id} returned with {worker.n} of its own submissions not "
                                "taken by working() (NEURON then reads a freed job)", loc)
        value = float(interp.model.globals["hoc_ac_"])
        bulletin.pkbegin(interp, board)
        for item in (userid, wid, 0):
            bulletin.pk(interp, board, "int", item, loc)
        bulletin.pk(interp, board, "double", value, loc)
        worker.working_id, worker.n = saved
        job = board.work[job_id]  # BBSLocalServer::post_result
        job.message, board.posting = board.posting, None
        board.results.setdefault(job.parent.id if job.parent is not None else 0, deque()).append(job)
    finally:
        board.depth -= 1


def _return_args(interp, board: Board, worker: Worker, userid: int, loc) -> None:
    """BBSLocal::return_args, BBSImpl::return_args: the job's own message is read again, from its arguments."""
    message = worker.kept.pop(userid, None)
    if message is None:
        raise interp.refuse("ParallelContext.working(): a result of a job another ParallelContext submitted "
                            "(NEURON fails an assertion)", loc)
    board.taking, message.pos = message, 0
    upkint(interp, board, loc)
    upkint(interp, board, loc)
    style = upkint(interp, board, loc)
    if style == 0:
        upkstr(interp, board, loc)
        return
    if style == 2:
        upkstr(interp, board, loc)
        upkint(interp, board, loc)
    upkstr(interp, board, loc)
    upkint(interp, board, loc)


def working(interp, worker: Worker, loc) -> float:
    """BBSImpl::working: the id of the next result of this ParallelContext's submissions, running queued jobs
    until there is one; 0 when none is outstanding."""
    board = board_of(interp)
    if worker.n <= 0:
        return 0.0
    while True:
        job_id = _take_result(board, worker.working_id)
        if job_id:
            userid = upkint(interp, board, loc)
            upkint(interp, board, loc)
            upkint(interp, board, loc)  # 0: a number (1: a pickled Python object)
            worker.userid, worker.retval = userid, upkdouble(interp, board, loc)
            worker.n -= 1
            if userid < 0:
                _return_args(interp, board, worker, userid, loc)
            return float(job_id)
        job_id = _take_todo(board)
        if not job_id:
            raise interp.refuse("ParallelContext.working(): no job left to run and no result (NEURON waits "
                                "forever here)", loc)
        execute(interp, board, worker, job_id, loc)


def take(interp, worker: Worker, key: str, loc) -> None:
    """BBSLocal::take: the first message under `key`, running queued jobs until one posts it."""
    board = board_of(interp)
    while not bulletin.look(board, key, take=True):
        job_id = _take_todo(board)
        if not job_id:
            raise bulletin.bbs_error(interp, "take blocking", loc)
        execute(interp, board, worker, job_id, loc)


class BulletinMethods:
    """ParallelContext's bulletin-board methods (ocbbs.cpp `members`), each `m_<name>(interp, args, loc)`."""

    worker: Worker

    def m_pack(self, interp, args, loc):
        bulletin.pack_values(interp, board_of(interp), args, loc, "pack")
        return 0.0

    def m_post(self, interp, args, loc):
        board = board_of(interp)
        key = bulletin.key_of(interp, args, loc, "post")
        bulletin.pack_values(interp, board, args[1:], loc, "post")
        board.packing = False
        bulletin.post(board, key)
        return 1.0

    def _look(self, interp, args, loc, what: str, take_it: bool):
        board = board_of(interp)
        if not bulletin.look(board, bulletin.key_of(interp, args, loc, what), take_it):
            return 0.0
        bulletin.unpack_into(interp, board, args[1:], loc)
        return 1.0

    def m_look(self, interp, args, loc):
        return self._look(interp, args, loc, "look", False)

    def m_look_take(self, interp, args, loc):
        return self._look(interp, args, loc, "look_take", True)

    def m_take(self, interp, args, loc):
        take(interp, self.worker, bulletin.key_of(interp, args, loc, "take"), loc)
        bulletin.unpack_into(interp, board_of(interp), args[1:], loc)
        return 1.0

    def m_unpack(self, interp, args, loc):
        bulletin.unpack_into(interp, board_of(interp), args, loc)
        return 1.0

    def m_upkscalar(self, interp, args, loc):
        return upkdouble(interp, board_of(interp), loc)

    def m_upkstr(self, interp, args, loc):
        if not args or not isinstance(args[0], StrVar):
            raise interp.error("ParallelContext.upkstr(strdef): a string variable is needed", loc)
        args[0].value = upkstr(interp, board_of(interp), loc)
        return args[0].value

    def m_upkvec(self, interp, args, loc):
        from bridge.hoc.vector import Vector

        if args and not isinstance(args[0], Vector):
            raise interp.error("ParallelContext.upkvec([Vector]): the argument must be a Vector", loc)
        values = upkvec(interp, board_of(interp), loc)
        vec = args[0] if args else Vector(interp, [], loc)
        vec._reserve(interp, len(values), loc)
        vec.data = values
        return vec

    def m_submit(self, interp, args, loc):
        return float(submit(interp, self.worker, args, loc))

    def m_context(self, interp, args, loc):
        submit_message(interp, board_of(interp), self.worker, args, loc, "context")  # BBSLocal::context: nothing
        return 1.0

    def m_working(self, interp, args, loc):
        return working(interp, self.worker, loc)

    def m_retval(self, interp, args, loc):
        return self.worker.retval

    def m_userid(self, interp, args, loc):
        return float(self.worker.userid)

    def m_master_works_on_jobs(self, interp, args, loc):
        return 0.0  # BBS::master_works: only with more than one process

    def m_upkpyobj(self, interp, args, loc):
        raise interp.refuse("ParallelContext.upkpyobj(): bridge packs no Python objects", loc)

    def m_pyret(self, interp, args, loc):
        raise interp.refuse("ParallelContext.pyret(): bridge runs no Python callables as jobs", loc)
