"""Reading HOC files as NEURON does: one top-level statement at a time.

NEURON parses and runs a file statement by statement, and `fscan()` reads
numbers from the rest of the file being read (pyramid.nrn keeps its 3-D points
after the code). `run_stream` therefore splits the text into top-level chunks
(a newline at brace and parenthesis depth 0 ends one, `begintemplate` ...
`endtemplate` is one), parses each, runs it, and continues after whatever
`fscan` consumed.

`load_file("x.hoc")` and `xopen("x.hoc")` look for x.hoc in the working directory, as
NEURON's `hoc_Load_file` and `hoc_xopen1` (src/oc/fileio.cpp) do; `load_file("sub/x.hoc")`
changes the working directory to `sub/` while x.hoc runs (so its own loads, `getcwd()`
and data files are relative to it), and loads a name once (a second `load_file` of the
same name, even from another folder, does nothing). NEURON's own library files are built in.
A model reads files only inside its read roots (`bridge.readroots`: the model
folder, the mechanism folders, `allow_read`, bridge's library), each a regular
file of at most `Limits.max_file_size` bytes; an error about a file outside
never quotes it (it is never opened).
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from bridge.errors import BridgeError, SourceLocation
from bridge.hoc import budget, library_names, library_runs, memfiles, neuronlib, parcom, stdrun_load
from bridge.hoc.control import LoopJump, outside_loop
from bridge.hoc.outfiles import OutputFile, OutputFolder
from bridge.hoc.parse import parse
from bridge.hoc.source import check_characters, decode_source, normalize_line_ends
from bridge.hoc.values import Frame
from bridge.readroots import ReadRefused, ReadRoots

# NEURON's library files whose procedures bridge implements itself.
BUILTIN_LIBRARIES = {"stdrun.hoc", "nrngui.hoc", "stdlib.hoc", "stdgui.hoc", "noload.hoc", "stdrun", "nrngui",
                     "stdlib", "stdgui", "noload", "import3d.hoc", "import3d", "nrngui1.hoc", "single1.hoc",
                     "pointman.hoc"}
# SHA-256 of NEURON 9.0.2's copies of those files (CRLF read as LF; import3d.hoc together
# with the import3d/*.hoc files it opens, in order). A model folder that ships its own,
# different copy gets a warning: bridge runs its built-in version, not the model's copy.
NEURON_LIBRARY_SHA256 = {
    "stdrun.hoc": "7cc75d1f1856cc91eb6b5c73f29f5a7c76c94319e424096d0485484a7edc34ea",
    "nrngui.hoc": "f416876ae5370fa2a1f052f8957eed0282ad7665c07fedb0446a8de6164ef9d3",
    "stdlib.hoc": "2cee172495dae356baf47927106765e17bd3e4d74803f075d7525ee689eddb88",
    "stdgui.hoc": "67859de2eff985bc0dfead0c968f8b37273b34c7ff474bddcd445826eed8445c",
    "noload.hoc": "b0ea2e8645edcdf390b3f32fcee0b63e2f9a017c9adf7df4c444f9d59674ab19",
    "import3d.hoc": "d833aafb67c2115a7415b215b31d8ce95708d951326766b588b6c05ad8fa9301",
    "nrngui1.hoc": "e0d918b2056515b4122bfe8a02386180bc7a1c193c088396d878c13bc6f527f0",
    "single1.hoc": "a6f60b6f0f1c00801f15d2e0c18c5596c1989ae9188abb0388be8a3904c1fc22",
    "pointman.hoc": "335932d7d4a6d7a4667f238e6046de5dfebf7b1b393d519e8e8ef52b6ee6d4f5",
    "parcom.hoc": "74ce56914c12843647366e930caabbc93fee35e88d8d069d965ab145353738dd",
}
# NEURON's GUI tool libraries: loading them is accepted (and listed in the GUI warning);
# their tools (PointProcessManager, ...) are not available.
GUI_LIBRARIES = {f"{n}.hoc" for n in (
    "atoltool attshape binfo electrod family funfit grapher impedanc impedanx impratio inserter lincir logax "
    "mkcurve movierun mulfit mview netbild pointbsr pointgrp runfit shapebox showmech single "
    "wingroup chanbild celbild pcchdir macload mknrndll modlunit").split()}
# NEURON's library files that bridge provides as its own HOC (bridge/hoc/library/).
OWN_LIBRARIES = {"subiter.hoc": Path(__file__).resolve().parent / "library" / "subiter.hoc"}
UNSUPPORTED_LIBRARIES = {
    "vecwrap.hoc": "vecwrap.hoc is not supported",
    "thresh.hoc": "thresh.hoc is not supported", "varmeth1.hoc": "varmeth1.hoc is not supported",
    "loadbal.hoc": "load balancing (loadbal.hoc) is not supported",
    "gatherv.hoc": "gatherv.hoc is not supported",
    "prcellstate.hoc": "prcellstate.hoc writes files and is not supported",
    "corenrn.hoc": "CoreNEURON is not supported",
}


class Stream:
    """The text of one file being run, with a cursor (shared with fscan)."""

    def __init__(self, text: str, filename: str):
        self.text = text
        self.filename = filename
        self.pos = 0
        self.line = 1

    def advance_to(self, pos: int) -> None:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos


@dataclass
class FileState:
    """The files of one interpreter: where it may read (`roots`, `bridge.readroots`) and its working
    directory (`cwd`, which `chdir` changes), the texts it is running (innermost last: `fscan` reads
    on in it), the data file `ropen` opened, and the HOC files it ran."""

    roots: ReadRoots
    cwd: str
    running: list[Stream] = field(default_factory=list)
    ropened: Stream | None = None
    loaded: set[str] = field(default_factory=set)  # names `load_file` ran (it runs a name once)
    stdrun_loaded: bool = False  # stdrun.hoc loaded (bridge.hoc.stdrun_load)
    libraries: set[str] = field(default_factory=set)  # NEURON's library files loaded, not run (library_names)
    library_runs: set[str] = field(default_factory=set)  # NEURON's library files NEURON ran (library_runs)
    read: list[Path] = field(default_factory=list)  # every HOC file run, in order (HocSession.files_read)
    own_library_copies: set[str] = field(default_factory=set)  # a model's copies of NEURON's library, checked
    output: OutputFolder = field(default_factory=lambda: OutputFolder(None, 0))  # where the model may write
    fout: OutputFile | None = None  # the file top-level wopen() opened (fprint writes there)
    stdout_file: OutputFile | None = None  # the file hoc_stdout() switched printed output to


# One step of next_chunk's scan: a string (to its closing quote or the end of its line), a
# comment, a continuation, a word, a run of blanks, a run of other code, or one character.
# Possessive repeats keep each step linear in its length with no backtracking state.
_STEP = re.compile(r'''
    (?P<string> "(?:[^"\\\n]++|\\[\s\S])*+ )
  | (?P<line_comment> //[^\n]*+ )
  | (?P<block_comment> /\* )
  | (?P<continuation> \\\n )
  | (?P<word> [A-Za-z_][A-Za-z_0-9]*+ )
  | (?P<blank> [ \t\r]++ )
  | (?P<code> [^"/\\A-Za-z_ \t\r\n{}()\[\]]++ )
  | (?P<char> [\s\S] )
''', re.VERBOSE)
# After the newline that ends a statement: `else` on a later line continues it.
_ELSE_AHEAD = re.compile(r"\s*+else")
# Before a chunk's first statement: blank lines and line comments, skipped in one match.
_SKIP = re.compile(r"(?:[ \t\r\n]++|//[^\n]*+)*+")


def next_chunk(stream: Stream) -> tuple[str, int] | None:
    """The next top-level statement(s) from the cursor: (text, first line); None at the end.

    A newline at bracket depth 0 outside a template ends a chunk, unless `else` follows;
    blank lines and comments before the chunk's first statement are not part of it (a chunk
    of blanks and comments only is skipped). One pass of `_STEP` matches: linear in the text
    (a 64 MB file is read once)."""
    text, i, n = stream.text, stream.pos, len(stream.text)
    start = i
    depth = 0
    template = 0
    line_start = True
    meaningful = False
    while i < n:
        if not meaningful:
            end = _SKIP.match(text, i).end()
            if end > i:
                newline = text.rfind("\n", i, end)
                if newline >= 0:
                    start = newline + 1  # the chunk starts on the line of its first statement
                i = end
                continue
        m = _STEP.match(text, i)
        kind, end = m.lastgroup, m.end()
        if kind == "string":
            i = min(end + 1, n)  # past the closing quote, or the newline of an unclosed string
            meaningful = True
            line_start = False
        elif kind == "line_comment" or kind == "blank" or kind == "continuation":
            i = end
        elif kind == "block_comment":
            j = text.find("*/", end)
            i = n if j < 0 else j + 2
        elif kind == "word":
            word = m.group("word")
            if line_start or depth == 0:
                if word == "begintemplate":
                    template += 1
                elif word == "endtemplate":
                    template -= 1
            i = end
            meaningful = True
            line_start = False
        elif kind == "code":
            i = end
            meaningful = True
            line_start = False
        else:
            c = text[i]
            i += 1
            if c == "\n":
                if depth <= 0 and template == 0 and meaningful and not _ELSE_AHEAD.match(text, i):
                    break
                line_start = True
                continue
            if c in "{([":
                depth += 1
            elif c in "})]":
                depth -= 1
            meaningful = True
            line_start = False
    if not meaningful:
        stream.advance_to(n)
        return None
    stream.advance_to(start)
    first_line = stream.line
    stream.advance_to(i)
    return text[start:i], first_line


def run_stream(interp, stream: Stream) -> None:
    """Parse and run `stream` one chunk at a time (see the module docstring). Parsing counts
    against the statement budget as `bridge.hoc.budget.parse_cost` says."""
    interp.charge(budget.RUN_STATEMENTS + len(stream.text) // budget.BYTES_PER_STATEMENT, None)
    check_characters(stream.text, stream.filename)
    interp.source_of[stream.filename] = stream.text
    running = interp.files.running
    running.append(stream)
    max_nesting = interp.limits.max_nesting
    try:
        while True:
            chunk = next_chunk(stream)
            if chunk is None:
                break
            text, line = chunk
            interp.charge(budget.parse_cost(text, interp.max_statements - interp.statements),
                          SourceLocation(stream.filename, line, 1))
            program = parse(text, stream.filename, line_offset=line - 1, max_nesting=max_nesting)
            interp.check_parsed(program)  # what hoc's parser refuses before the chunk runs
            try:
                interp.exec_block(program.body)
            except LoopJump as jump:
                raise outside_loop(interp, jump) from None
    finally:
        running.pop()


def run_text(interp, text: str, filename: str, obj=None) -> None:
    """Run HOC text (a statement string from Python or `execute`), in `obj`'s context if given."""
    if obj is not None:
        interp.frames.append(Frame(f"{obj} (execute)", [], obj, None))
    try:
        run_stream(interp, Stream(normalize_line_ends(text), filename))
    finally:
        if obj is not None:
            interp.frames.pop()


def _bases(interp, loc) -> list[Path]:
    """Where a relative name is looked up: the working directory only (NEURON opens the name as
    written; `load_file` changes into a loaded file's folder while it runs)."""
    return [Path(interp.files.cwd)]


def resolve_path(interp, name: str, loc: SourceLocation | None, call: str | None = None,
                 kind: str = "HOC") -> Path | None:
    """The real path of the file a model names (`$(VAR)` already expanded): in the working
    directory, inside the model's read roots (`bridge.readroots`); None
    when it does not exist there. A name that leads outside the roots is a HocError at `loc` that
    starts with `call` (the call as the model wrote it); the file is never opened."""
    try:
        return interp.files.roots.resolve(name, _bases(interp, loc), kind)
    except ReadRefused as err:
        raise interp.refuse(f"{call or repr(name)}: {err.message}", loc) from None


def not_found(interp, written: str, loc, call: str) -> str:
    """`call: cannot find NAME (...)`, naming the name as the model wrote it and, for `$(VAR)` in it,
    whether VAR is set (never its value: a model must not get the environment into a message)."""
    looked = " and ".join(str(b) for b in dict.fromkeys(_bases(interp, loc)))
    names = dict.fromkeys(re.findall(r"\$\((\w+)\)", written))
    env = [f"{v} is {'set' if v in os.environ else 'not set'}" for v in names]
    return f"{call}: cannot find {written}" + (f" ({', '.join(env)})" if env else "") + f" (looked in {looked})"


def read_model_file(interp, path: Path, loc, what: str, kind: str = "HOC") -> str:
    """The text of a model file `resolve_path` found (a regular file within Limits.max_file_size)."""
    try:
        return interp.files.roots.read_text(path, kind)
    except ReadRefused as err:
        raise interp.refuse(f"{what}: {err.message}", loc) from None


def _expand(interp, name: str, loc) -> str:
    """NEURON expands `$(NAME)` from the environment in file names; an unset variable
    expands to nothing (so `$(NRNDEMO)testca.hoc` is `testca.hoc` unless NRNDEMO is set)."""
    def env(m):
        if m.group(1) == "NEURONHOME" and "NEURONHOME" not in os.environ:
            return "<NEURONHOME>"  # NEURON's own library files are built in (see BUILTIN_LIBRARIES)
        return os.environ.get(m.group(1), "")

    return re.sub(r"\$\((\w+)\)", env, name)


def library_digest(path: Path, read=lambda p: p.read_bytes()) -> str:
    """SHA-256 of a NEURON library file as `NEURON_LIBRARY_SHA256` records it (`read`: bytes of a path)."""
    text = read(path).replace(b"\r\n", b"\n")
    digest = hashlib.sha256(text)
    if path.name == "import3d.hoc":
        for sub in re.findall(rb'xopen\("(import3d/[^"]+)"\)', text):
            part = path.parent / sub.decode()
            digest.update(read(part).replace(b"\r\n", b"\n") if part.is_file() else b"<missing>")
    return digest.hexdigest()


def _check_own_copy(interp, name: str, loc) -> None:
    """NEURON loads a library file from the model's folder before its own; bridge always runs
    its built-in version, so a model's copy that differs from NEURON 9.0's is named in a warning
    (an older import3d.hoc, for one, builds a slightly different soma). Only copies inside the
    model's read roots are looked at (one outside is not the model's)."""
    base = Path(name).name
    if base not in NEURON_LIBRARY_SHA256:
        return
    roots = interp.files.roots
    try:
        path = roots.resolve(name, _bases(interp, loc), "HOC")
    except ReadRefused:
        return
    if path is None:
        return
    seen = interp.files.own_library_copies
    if str(path) in seen:
        return
    seen.add(str(path))

    def read(p: Path) -> bytes:
        try:
            return roots.read_bytes(p, "HOC")
        except ReadRefused as err:
            raise interp.refuse(f"load_file(\"{name}\"): {err.message}", loc) from None

    if library_digest(path, read) != NEURON_LIBRARY_SHA256[base]:
        where = f"{loc.filename}:{loc.line}: " if loc else ""
        warnings.warn(f"{where}load_file(\"{name}\") finds the model's own copy {path}, which "
                      f"differs from NEURON 9.0's {base}; bridge uses its built-in {base} (NEURON 9.0's behaviour), "
                      f"so results can differ from NEURON running this copy", UserWarning, stacklevel=2)


def _library_name(name: str) -> str:
    """The name NEURON's load_file records for a library load bridge also takes without `.hoc` (`"nrngui"`)."""
    return name if name.endswith(".hoc") else f"{name}.hoc"


def load_file(interp, name: str, loc, once: bool = True, what: str = "load_file", chdir: bool | None = None) -> float:
    """`load_file(name)` (`once`: a name loaded before is not run again) or `xopen(name)`; with
    `chdir` (default: `once`) a name with a folder part runs with that folder as working directory."""
    chdir = once if chdir is None else chdir
    written = name
    name = _expand(interp, name, loc)
    base = Path(name).name
    if base in BUILTIN_LIBRARIES:
        if not library_runs.run(interp, _library_name(name), base, once, written, loc):
            return 1.0
        interp.files.libraries.add(library_names.library_base(base))
        _check_own_copy(interp, name if name.endswith(".hoc") else name + ".hoc", loc)
        stdrun_load.on_load(interp, base, loc)
        return 1.0
    if base in neuronlib.NEURON_BUILDERS:
        library_runs.check_needs(interp, base, written, loc)  # electrod.hoc's `external run`, ...
        return _load_neuron_builder(interp, base, written, loc, once)
    if base == "parcom.hoc":  # ParallelComputeTool, as bridge.hoc.parcom (its own copy: a warning if it differs)
        if not library_runs.run(interp, name, base, once, written, loc):
            return 1.0
        _check_own_copy(interp, name, loc)
        interp.files.libraries.add(base)
        stdrun_load.on_load(interp, base, loc)  # parcom.hoc loads loadbal.hoc, which loads stdgui.hoc
        return parcom.load(interp, loc)
    if base in GUI_LIBRARIES:
        try:
            path = interp.files.roots.resolve(name, _bases(interp, loc), "HOC")
        except ReadRefused:  # NEURON's own copy (outside the model): a GUI library, not read
            path = None
        if path is None:
            if not library_runs.run(interp, name, base, once, written, loc):
                return 1.0
            interp.model.gui_calls.setdefault(f"load_file({base!r})", loc)
            interp.files.libraries.add(base)
            stdrun_load.on_load(interp, base, loc)  # mulfit.hoc, pcchdir.hoc, ... load stdrun.hoc in NEURON
            return 1.0
    if base in UNSUPPORTED_LIBRARIES:
        raise interp.error(f"load_file(\"{written}\"): {UNSUPPORTED_LIBRARIES[base]}", loc)
    call = f'{what}("{written}")'
    if memfiles.is_memory(interp, name):  # a temporary file of NEURON's builder code (bridge.hoc.memfiles)
        run_stream(interp, Stream(memfiles.text(interp, name), name))
        return 1.0
    path = resolve_path(interp, name, loc, call, "HOC")
    if path is None and base in OWN_LIBRARIES:
        path = OWN_LIBRARIES[base]
    if path is None and what == "load_file" and "$(" not in written:
        # hoc_Load_file (src/oc/fileio.cpp): a file found nowhere is a warning, and load_file returns 0. A name
        # built from the environment stays an error: NEURON's warning shows the expanded name, bridge never does
        where = f"{loc.filename}:{loc.line}: " if loc else ""
        warnings.warn(f"{where}{not_found(interp, written, loc, what)}; as NEURON, load_file warns "
                      "(\"Couldn't find\") and returns 0", UserWarning, stacklevel=2)
        return 0.0
    if path is None:
        # xopen of a missing file (an empty name too): NEURON's hoc_xopen1 (src/oc/fileio.cpp) stops with
        # "Can't open", an error execute1 catches; so does bridge (ModelDB 146376, 222359 stop there in NEURON)
        also = "; NEURON stops here too (\"Can't open\")" if what == "xopen" else ""
        raise interp.error(not_found(interp, written, loc, what) + also, loc)
    loaded = interp.files.loaded
    if once and name in loaded:  # NEURON compares the names, not the files (hoc_Load_file)
        return 1.0
    loaded.add(name)
    interp.files.read.append(path)
    folder = Path(name).parent if chdir and "/" in name else None
    if folder is None:
        run_file(interp, path, loc, call)
        return 1.0
    files = interp.files
    saved = files.cwd
    real = files.roots.admits_folder(Path(files.cwd) / folder)
    # hoc_Load_file: chdir to the file's folder (the name's directory part) while it runs
    files.cwd = str(real if real is not None else path.parent)
    try:
        run_file(interp, path, loc, call)
    finally:
        files.cwd = saved
    return 1.0


def _load_neuron_builder(interp, base: str, written: str, loc, once: bool) -> float:
    """`load_file("celbild.hoc")`: NEURON's own builder library, run from NEURON's installation
    (`bridge.hoc.neuronlib`); its files are admitted to the read roots."""
    found = neuronlib.builder_paths(base)
    if found is None:
        raise interp.error(f'load_file("{written}"): NEURON\'s library file {base} (the GUI builder a session '
                           "file uses) is not found: bridge runs it from an installed NEURON (pip install neuron, "
                           "or set NEURONHOME)", loc)
    path, folders, files = found
    _warn_own_builder_copy(interp, base, written, loc)
    interp.files.roots = interp.files.roots.adding(folders, files)
    for name in neuronlib.STDLIB_STRDEFS:  # NEURON's stdlib.hoc declares these; the builders use them
        if name not in interp.top:
            interp.top[name] = interp.new_str()
    loaded = interp.files.loaded
    if once and str(path) in loaded:
        return 1.0
    loaded.add(str(path))
    interp.files.read.append(path)
    files = interp.files
    saved = files.cwd
    files.cwd = str(path.parent)  # hoc_Load_file: a file found in the library path runs from its folder
    try:
        run_file(interp, path, loc, f'load_file("{written}")')
    finally:
        files.cwd = saved
    return 1.0


def _warn_own_builder_copy(interp, base: str, written: str, loc) -> None:
    """NEURON loads a library file from the model's folder before its own: a model's copy of a builder
    library is named in a warning (bridge runs NEURON's installed one; the copy may be older)."""
    try:
        own = interp.files.roots.resolve(base, _bases(interp, loc), "HOC")
    except ReadRefused:
        return
    if own is not None and not neuronlib.is_builder_file(own) and str(own) not in interp.files.own_library_copies:
        interp.files.own_library_copies.add(str(own))
        where = f"{loc.filename}:{loc.line}: " if loc else ""
        warnings.warn(f"{where}load_file(\"{written}\") finds the model's own copy {own}; bridge runs NEURON's "
                      f"installed {base} instead, so results can differ from NEURON running this copy",
                      UserWarning, stacklevel=2)


def run_file(interp, path: Path, loc=None, call: str = "load_file") -> None:
    """Run the HOC file `path` (found by `resolve_path`), read through the model's read roots and
    decoded as bridge.hoc.source.decode_source says (size bound, UTF-8, line ends)."""
    interp.charge(budget.FILE_STATEMENTS, None)
    try:
        data = interp.files.roots.read_bytes(path, "HOC")
    except ReadRefused as err:
        raise interp.refuse(f"{call}: {err.message}", loc) from None
    run_stream(interp, Stream(decode_source(data, str(path)), str(path)))


_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def ropen(interp, name: str | None, loc, what: str = "ropen") -> float:
    """`ropen("data.dat")`: open a data file for fscan/getstr (read only, relative to the working
    directory, inside the model's read roots); `ropen()` closes it. Returns 0 when the file does
    not exist, as NEURON."""
    files = interp.files
    if name is None:
        files.ropened = None
        return 0.0
    try:
        path = files.roots.resolve(_expand(interp, name, loc), [Path(files.cwd)], "data")
    except ReadRefused as err:
        raise interp.refuse(f"{what}({name!r}): {err.message}", loc) from None
    if path is None:
        files.ropened = None
        return 0.0
    text = read_model_file(interp, path, loc, f"{what}({name!r})", "data")
    stream = Stream(text, str(path))
    try:  # an open data file holds its text: it counts against Limits.max_memory while open
        interp.memory.reserve(budget.text_bytes(text), f"{what}({name!r})").bind(stream)
    except BridgeError as err:
        raise interp.error(err.message, loc) from None
    files.ropened = stream
    return 1.0


def getstr(interp, loc, word: bool = False) -> str:
    """The rest of the current line (with its newline), or with `word` the next word, of the ropen'ed
    file, else of the file being read (hoc_Getstr, src/oc/fileio.cpp: hoc_frin, else hoc_fin)."""
    files = interp.files
    s = files.ropened
    if s is None:
        if not files.running:
            raise interp.error("getstr: no file opened with ropen", loc)
        s = files.running[-1]
    text, n = s.text, len(s.text)
    if word:
        i = s.pos
        while i < n and text[i].isspace():
            i += 1
        j = i
        while j < n and not text[j].isspace():
            j += 1
        if i == j:
            raise interp.error(f"getstr: end of file {s.filename} (EOF in getstr)", loc)
        s.advance_to(j)
        return text[i:j]
    end = text.find("\n", s.pos)
    end = n if end < 0 else end + 1
    if s.pos >= n:
        raise interp.error(f"getstr: end of file {s.filename}", loc)
    line = text[s.pos:end]
    s.advance_to(end)
    return line


def fscan(interp, loc) -> float:
    """The next number in the ropen'ed file, else in the file being read (words that are not
    numbers are skipped, as NEURON)."""
    files = interp.files
    s = files.ropened
    if s is None:
        if not files.running:
            raise interp.error("fscan: no file is being read", loc)
        s = files.running[-1]
    text, i, n = s.text, s.pos, len(s.text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        m = _NUMBER.match(text, i)
        if m:
            s.advance_to(m.end())
            return float(m.group(0))
        while i < n and not text[i].isspace():
            i += 1
    raise interp.error(f"fscan: end of file {s.filename}", loc)
