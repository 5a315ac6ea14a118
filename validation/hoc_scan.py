"""What NEURON would do with a model's HOC that bridge never does: a static look before NEURON starts.

`bridge validate` runs the model in real NEURON, which executes everything the HOC says, also
procedures bridge never calls (stdrun.hoc's `run()` calls a model's own `proc advance()` at every
step). So before NEURON starts, `scan` reads every HOC file bridge's pass ran, and every file named
by a string literal in their `load_file`/`xopen`/... calls (as NEURON would find it), and reports,
with file:line, each use of what bridge refuses for security:

- running code: `nrnpython()`, `PythonObject`, `load_java()`, and `nrn_load_dll()` of a library that
  exists (compiled code; a model's call for a library the user would build with nrnivmodl finds none,
  and NEURON gets bridge's compiled mechanisms instead);
- writing (only where NEURON's process has no write guard, see below): `wopen`, `aopen`, `save_session`,
  `print_session`, `printfile`, `hoc_stdout("file")`, `unlink`, `mkdir`, `BBSaveState`;
- reading outside the model's read roots (`bridge.readroots`): a literal name in `load_file`,
  `xopen`, `ropen`, `File(...)`, `.input(...)` or `chdir(...)` that leads outside.

File writes are not judged here where NEURON's process is guarded (`write_guard.GUARDED`, Linux): which
file a write reaches is often computed (`wopen(name)` of a `sprint`), in a procedure no one calls, so
NEURON's process instead writes only inside the copy of the model folder it runs on, with an output folder
(`bridge validate --out`), and nowhere without one (`validation.write_guard`); a write anywhere else stops
NEURON with the guard's message. bridge's own pass, which runs first, still refuses a write outside its
output folder.

Where that guard does not exist, the writes above are findings, but, with an output folder, NEURON runs on
a copy of the model folder, and `wopen`/`aopen` (`File.wopen`, ...) of a literal relative name without `..`
is allowed (NEURON writes into the copy), and so is one of a strdef that only ever holds such literals:
every use of its name in every scanned file is its `strdef` declaration, `name = "literal"`,
`sprint(name, "literal")` without a `%`, or the `wopen`/`aopen` itself (`strdef_write_names`). Any other
name computed at run time, an absolute name or `..` stay refused, and so does `chdir` to an absolute name
(the writes after it would leave the copy).

`system()` is not among them: which command it runs is often computed (`system(st.s)`) in a procedure
no one calls, so the scan cannot judge it; NEURON's process instead runs only the commands bridge's own
run answered (`validation.shell_guard`), whatever code calls them. Where that guard does not exist
(`shell_guard.GUARDED` false: not Linux) every `system()` is a finding.

Names inside string literals count too (`execute("nrnpython(\\"...\\")")`). Text a model builds while it
runs (`sprint`) is not seen: this is a second line of defence, not a sandbox.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bridge.errors import BridgeError
from bridge.hoc import neuronlib
from bridge.readroots import ReadRefused, ReadRoots
from validation import shell_guard, write_guard

DANGER = {
    "nrnpython": "runs Python code", "python": "runs Python code",
    "PythonObject": "runs Python code", "load_java": "loads Java code", "wopen": "opens a file for writing",
    "aopen": "opens a file for writing",
    "save_session": "writes a file", "print_session": "writes a file", "printfile": "writes a file",
    "hoc_stdout": "sends HOC's output to a file", "unlink": "deletes a file", "mkdir": "makes a folder",
    "BBSaveState": "writes state files",
}
# harmless with no argument when called as a function: wopen() and aopen() close, hoc_stdout() restores
_CLOSE_WITHOUT_ARGUMENT = {"wopen", "aopen", "hoc_stdout"}
HOC_LOADERS = ("load_file", "xopen")
DATA_READERS = ("ropen", "File", "input", "chdir")

_CALL = re.compile(r"(\.\s*)?\b([A-Za-z_][A-Za-z_0-9]*)\s*\(")
# a string literal as the first argument (after a number: load_file(1, "x")), or one written inside
# another literal (execute("load_file(\"x\")"))
_LITERAL = re.compile(r'\s*(?:[-+]?[0-9.]+\s*,\s*)?(?:"((?:[^"\\\n]|\\.)*)"|\\"([^"\\\n]*)\\")')
_EMPTY = re.compile(r"\s*\)")
_BARE_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z_0-9]*)\s*\)")
# with an output folder: writes by these under a literal relative name land in NEURON's copy of the model
_WRITES_IN_COPY = {"wopen", "aopen"}
# what NEURON's process writes through (validation.write_guard checks these at run time where it exists)
WRITES = frozenset({"wopen", "aopen", "save_session", "print_session", "printfile", "hoc_stdout", "unlink", "mkdir",
                    "BBSaveState"})


def relative_write_name(name: str) -> str | None:
    """Why `name` (after `$(VAR)` expansion) may not be written in NEURON's copy of the model folder
    (None: a relative name without `..`)."""
    from pathlib import PurePosixPath

    target = _expand(name)
    if not target.strip():
        return None
    if PurePosixPath(target).is_absolute() or target.startswith("~"):
        return "an absolute name"
    if ".." in PurePosixPath(target).parts:
        return "a name leading out of the model folder ('..')"
    return None


@dataclass(frozen=True)
class Finding:
    """One use of something bridge refuses, at `path`:`line`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RefusedModel(BridgeError):
    """A model that uses what bridge refuses for security: NEURON is not started on it."""

    kind = "refused"


def blank_comments(text: str) -> str:
    """`text` with HOC's `//` and `/* */` comments replaced by spaces (newlines kept, so line numbers
    stay); string literals are kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _expand(name: str) -> str:
    from bridge.hoc.loader import _expand as expand

    return expand(None, name, None)


def scan_text(text: str, path: Path, roots: ReadRoots, cwd: Path, writes: bool = False,
              pending: list[tuple[Finding, str]] | None = None) -> tuple[list[Finding], list[Path]]:
    """The findings in one HOC file's text, and the HOC files its literal load_file/xopen names lead to;
    `writes`: the model has an output folder (see the module docstring). With `pending`, a write of a
    bare name (`f.wopen(name)`) goes there as (its finding, the name), for `strdef_write_names` to decide
    once every file is read."""
    code = blank_comments(text)
    findings: list[Finding] = []
    follow: list[Path] = []

    def line_of(pos: int) -> int:
        return code.count("\n", 0, pos) + 1

    def add(pos: int, message: str) -> None:
        findings.append(Finding(path, line_of(pos), message))

    for m in _CALL.finditer(code):
        method, name, after = bool(m.group(1)), m.group(2), m.end()
        literal = _LITERAL.match(code, after)
        if name == "nrn_load_dll":
            if literal is None:
                add(m.start(2), "nrn_load_dll() of a name computed at run time: NEURON would load compiled code")
                continue
            written = literal.group(1) if literal.group(1) is not None else literal.group(2)
            target = Path(_expand(written))
            cands = [target] if target.is_absolute() else [Path(b) / target for b in (path.parent, cwd)]
            if any(c.exists() for c in cands):
                add(m.start(2), f'nrn_load_dll("{written}") loads compiled code from the model\'s library file')
            continue
        if name in WRITES and write_guard.GUARDED:
            continue  # NEURON's process writes only inside the output folder (validation.write_guard)
        if writes and name in _WRITES_IN_COPY:
            if _EMPTY.match(code, after):
                continue  # closes, or (File.wopen()) reopens the name checked when it was given
            if literal is None:
                bare = _BARE_NAME.match(code, after)
                if bare is not None and pending is not None:
                    pending.append((Finding(path, line_of(m.start(2)), f"{name}({bare.group(1)}) of a name computed "
                                            "at run time: NEURON's write could not be checked"), bare.group(1)))
                else:
                    add(m.start(2), f"{name}() of a name computed at run time: NEURON's write could not be checked")
                continue
            written = literal.group(1) if literal.group(1) is not None else literal.group(2)
            why = relative_write_name(written)
            if why is not None:
                add(m.start(2), f'{name}("{written}") writes {why}: only relative names are written')
            continue
        if name == "system" and not shell_guard.GUARDED:
            add(m.start(2), "system() runs a shell command (NEURON's process has no guard on this platform)")
            continue
        if name in DANGER:
            if not (name in _CLOSE_WITHOUT_ARGUMENT and not method and _EMPTY.match(code, after)):
                add(m.start(2), f"{name}() {DANGER[name]}")
            continue
        if literal is None or name not in HOC_LOADERS + DATA_READERS or (name == "input" and not method):
            continue
        written = literal.group(1) if literal.group(1) is not None else literal.group(2)
        target = _expand(written)
        try:
            if name == "chdir":
                if writes and Path(target).is_absolute() and not write_guard.GUARDED:
                    add(m.start(2), f'chdir("{written}") to an absolute folder: writes after it would leave '
                                    "NEURON's copy of the model folder")
                    continue
                if Path(target).is_absolute():
                    cands = [Path(target)]
                else:
                    cands = [Path(b) / target for b in (cwd, path.parent)]
                outside = [c for c in cands if c.exists() and roots.admits_folder(c) is None]
                if outside:
                    raise ReadRefused(roots.refusal(outside[0].resolve(), "model"))
                continue
            found = roots.resolve(target, [path.parent, cwd], "HOC" if name in HOC_LOADERS else "data")
        except ReadRefused as err:
            add(m.start(2), f'{name}("{written}"): {err.message}')
            continue
        if found is not None and name in HOC_LOADERS:
            follow.append(found)
    return findings, follow


def scan(files: Iterable[Path], roots: ReadRoots, cwd: Path, writes: bool = False) -> list[Finding]:
    """The findings in `files` (HOC files bridge ran) and in the HOC files their literal load_file/xopen
    names lead to, each file read once (inside `roots`, as bridge reads model files)."""
    queue = deque(Path(f) for f in files)
    seen: set[Path] = set()
    findings: list[Finding] = []
    pending: list[tuple[Finding, str]] = []
    codes: list[str] = []
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        if neuronlib.is_builder_file(path):
            continue  # NEURON's own GUI-builder library (celbild.hoc, ...), not the model's: NEURON runs it anyway
        try:
            text = roots.read_text(path, "HOC")
        except ReadRefused as err:
            findings.append(Finding(path, 0, err.message))
            continue
        found, follow = scan_text(text, path, roots, Path(cwd), writes, pending)
        codes.append(blank_comments(text))
        findings += found
        queue.extend(follow)
    admitted = strdef_write_names({n for _, n in pending}, codes)
    return findings + [f for f, n in pending if n not in admitted]


_STRDEF = re.compile(r"^[ \t]*strdef\s+([A-Za-z_][A-Za-z_0-9]*(?:\s*,\s*[A-Za-z_][A-Za-z_0-9]*)*)", re.M)


def strdef_write_names(names: set[str], codes: list[str]) -> set[str]:
    """Of `names` (bare names given to wopen/aopen), those every use of which, in every scanned file's
    code (comments blanked, string literals kept, so a name inside `execute("...")` counts as a use), is
    a `strdef` declaration, `name = "literal"`, `sprint(name, "literal")` without a `%`, or `wopen(name)` /
    `aopen(name)`, with each literal a relative write name (`relative_write_name`): the name only ever
    holds those literals. Anything else (a proc argument, `getstr`, `sscanf`, a formatted `sprint`)
    leaves the name out."""
    admitted = set()
    for name in names:
        word = re.compile(rf"(?<![A-Za-z_0-9$]){re.escape(name)}(?![A-Za-z_0-9])")  # obj.name too
        allowed = re.compile(
            rf'(?P<set>(?<![A-Za-z_0-9.$]){re.escape(name)}\s*=(?!=)\s*"(?P<a>[^"\\\n%]*)"'
            rf'|\bsprint\s*\(\s*{re.escape(name)}\s*,\s*"(?P<b>[^"\\\n%]*)"\s*\))'
            rf'|(?:\bwopen|\baopen)\s*\(\s*{re.escape(name)}\s*\)')
        ok = True
        for code in codes:
            declared = [(d.start(1), d.end(1)) for d in _STRDEF.finditer(code)]
            covered: list[tuple[int, int]] = []
            for m in allowed.finditer(code):
                literal = m.group("a") if m.group("a") is not None else m.group("b")
                if literal is not None and relative_write_name(literal) is not None:
                    ok = False
                covered.append((m.start(), m.end()))
            for w in word.finditer(code):
                if not any(a <= w.start() < b for a, b in covered + declared):
                    ok = False
        if ok:
            admitted.add(name)
    return admitted


def check(files: Iterable[Path], roots: ReadRoots, cwd: Path, writes: bool = False) -> None:
    """Raise `RefusedModel` listing every finding of `scan` (nothing when there is none)."""
    findings = scan(files, roots, cwd, writes)
    if findings:
        lines = "\n".join(f"  {f}" for f in findings[:20])
        more = f"\n  ... and {len(findings) - 20} more" if len(findings) > 20 else ""
        raise RefusedModel("the model's HOC uses what bridge refuses for security (commands, Python, compiled "
                           "code, file writes, reads outside the model's folders); NEURON, which would run it (also "
                           f"in procedures bridge never calls), was not started:\n{lines}{more}")
