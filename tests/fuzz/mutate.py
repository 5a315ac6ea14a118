"""A seeded mutation fuzzer for untrusted model files: every failure must be a BridgeError.

Case `i` of seed `s` is a pure function of (s, i): a seed file (our own `.mod`/`.hoc`
files, and the `.mod` files of the installed NEURON wheel) mutated a few times by
character edits, hostile pieces (control and line-break characters, non-ASCII
letters, huge and non-finite numbers, file reads outside the folder, shell calls,
endless loops, huge allocations), splices from other seeds and deep nesting.

`run_case(case, folder)` writes the case into `folder` (a fresh model folder),
translates it (NMODL: parse, analysis, code generation, executing the module) or
loads it (HOC: the whole file through `HocSession`, then the model's node layout),
and returns what happened: "ok", "refused" (a BridgeError) or "crash" (anything
else, with the traceback's last frame). A sentinel file outside the folder that the
hostile pieces try to create or read must never be touched.
"""

from __future__ import annotations

import contextlib
import io
import random
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

from bridge.errors import BridgeError
from bridge.limits import Limits

ROOT = Path(__file__).resolve().parents[2]

# Small bounds, so that a hostile case fails within a fraction of a second.
FUZZ_LIMITS = Limits(max_statements=200_000, max_memory=256 * 2**20, max_file_size=4 * 2**20,
                     max_table_points=20_000, max_loop_iterations=20_000, max_kinetic_states=40,
                     max_steps=1_000_000)

SECRET = "bridge-fuzz-secret-7f3a"  # the content of the file outside the model folder

_CHARS = ["{", "}", "(", ")", "[", "]", "=", ",", "-", "+", "*", "/", "^", "'", '"', "\\", "\n", "\r", "\t",
          "\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\ufeff", "µ", "é", "Ò",
          "\udcff", "$", "@", "#", ";", ":", "?", "!", "&", "|", "<", ">", "~", "%", " ", "0", "1", "e"]
_NUMBERS = ["0", "-1", "1e999", "-1e999", "1e308", "1e-320", "1e9", "1e12", "2147483648", "nan", "inf", "1e300*1e300",
            "0.0", "-0", "99999999999999999999"]
_NMODL_PIECES = [
    "TABLE minf FROM -100 TO 100 WITH {n}", "FROM i = 0 TO {n} {{ }}", "WHILE (1) {{ }}", "INCLUDE \"{outside}\"",
    "INCLUDE \"../secret.txt\"", "VERBATIM\nsystem(\"touch {sentinel}\");\nENDVERBATIM", "LOCAL x\n",
    "SOLVE states METHOD cnexp", "SOLVE kin METHOD sparse", "~ a <-> b ({n}, 1)", "CONSERVE a + b = 1",
    "COMPARTMENT {n} {{ a }}", "UNITSOFF", "UNITSON",
    "printf(\"%s\\n\", \"\\\"\\\"\\\"\")", "TITLE \"\"\"; import os; os.system('touch {sentinel}'); \"\"\"",
    "COMMENT \"\"\" ENDCOMMENT", "? \"\"\"\\", "(\"\"\")", "FUNCTION breakpoint() {{ breakpoint = 1 }}",
    "PROCEDURE dict() {{ }}", "RANGE jnp, s, l, rt", "ASSIGNED {{ exec eval }}", "PARAMETER {{ g = {n} }}",
    "STATE {{ a[{n}] }}", "DERIVATIVE d {{ a' = -a }}", "KINETIC kin {{ ~ a <-> b (1, 1) }}", "IF (v > 0) {{ ", "}}",
]
_HOC_PIECES = [
    "load_file(\"{outside}\")", "xopen(\"../secret.txt\")", "load_file(\"/etc/passwd\")",
    "xopen(\"/proc/self/environ\")",
    "load_file(\"$(NOT_SET)../secret.txt\")", "system(\"touch {sentinel}\")", "nrnpython(\"open('{sentinel}','w')\")",
    "objref f\nf = new File()\nf.wopen(\"{sentinel}\")", "chdir(\"..\")", "ropen(\"{outside}\")",
    "objref v\nv = new Vector({n})", "v.resize({n})", "double a[{n}]", "objref o[{n}]", "create s[{n}]",
    "strdef str\nsprint(str, \"%{n}d\", 1)", "for i = 0, {n} {{ }}", "while (1) {{ }}", "proc p() {{ p() }}\np()",
    "Ra = {n}", "diam = {n}", "L = {n}", "nseg = {n}", "cm = {n}", "tstop = {n}", "dt = {n}", "celsius = {n}",
    "gnabar_hh = {n}", "soma {{ pt3dadd(0, 0, 0, {n}) }}", "execute(\"system(\\\"touch {sentinel}\\\")\")",
    "strdef cmd\nsprint(cmd, \"%s\", \"{outside}\")\nload_file(cmd)",
    "objref vv\nvv = new Vector(1)\nfor i=1,40 vv.append(vv)",
    "access soma", "insert hh", "forall {{ insert pas }}", "begintemplate T\npublic x\nx = 1\nendtemplate T",
]


@dataclass(frozen=True)
class Case:
    """One fuzz input: `kind` "mod" or "hoc", the seed file it came from, and its text."""

    index: int
    kind: str
    seed_name: str
    text: str


def seed_files() -> dict[str, list[Path]]:
    """Our own .mod and .hoc files, and the NEURON wheel's .mod files where it is installed."""
    mods = sorted(ROOT.glob("examples/**/*.mod")) + sorted(ROOT.glob("tests/**/*.mod")) + sorted(
        (ROOT / "bridge" / "mechanisms" / "builtin").glob("*.mod"))
    hocs = sorted(ROOT.glob("examples/**/*.hoc")) + sorted(ROOT.glob("tests/**/data/*.hoc"))
    try:
        from tests.nmodl._corpus import wheel_mod_files

        mods += wheel_mod_files()
    except ImportError:  # pragma: no cover - the wheel is part of the test extra
        pass
    return {"mod": [p for p in mods if p.is_file()], "hoc": [p for p in hocs if p.is_file()]}


class Fuzzer:
    """Makes case `i` of `seed` deterministically from the seed files."""

    def __init__(self, seed: int = 0, sentinel: str = "/tmp/bridge-fuzz-sentinel", outside: str = "../secret.txt"):
        self.seed = seed
        self.sentinel = sentinel
        self.outside = outside
        files = seed_files()
        self.texts = {kind: [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in paths]
                      for kind, paths in files.items()}

    def case(self, index: int) -> Case:
        rng = random.Random(self.seed * 1_000_003 + index)
        kind = "mod" if index % 2 == 0 else "hoc"
        name, text = rng.choice(self.texts[kind])
        for _ in range(rng.choice((1, 1, 2, 3, 5, 8))):
            text = self._mutate(rng, kind, text)
        return Case(index, kind, name, text)

    def _piece(self, rng: random.Random, kind: str) -> str:
        pieces = _NMODL_PIECES if kind == "mod" else _HOC_PIECES
        return rng.choice(pieces).format(n=rng.choice(_NUMBERS), sentinel=self.sentinel, outside=self.outside)

    def _mutate(self, rng: random.Random, kind: str, text: str) -> str:
        i = rng.randrange(len(text) + 1)
        op = rng.randrange(10)
        if op == 0:  # delete a span
            return text[:i] + text[i + rng.randint(1, 40):]
        if op == 1:  # insert a character
            return text[:i] + rng.choice(_CHARS) + text[i:]
        if op == 2:  # replace a character
            return text[:i] + rng.choice(_CHARS) + text[i + 1:]
        if op == 3:  # a hostile piece on a line of its own
            j = text.rfind("\n", 0, i) + 1
            return text[:j] + self._piece(rng, kind) + "\n" + text[j:]
        if op == 4:  # a hostile piece anywhere
            return text[:i] + self._piece(rng, kind) + text[i:]
        if op == 5:  # a number replaced
            j = i
            while j < len(text) and not text[j].isdigit():
                j += 1
            k = j
            while k < len(text) and (text[k].isdigit() or text[k] in ".eE-"):
                k += 1
            return text[:j] + rng.choice(_NUMBERS) + text[k:]
        if op == 6:  # lines swapped or duplicated
            lines = text.split("\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines[a], lines[b] = lines[b], lines[a]
            else:
                lines[a:a] = lines[b:b + rng.randint(1, 30)] * rng.randint(1, 4)
            return "\n".join(lines)
        if op == 7:  # a splice from another seed of the same kind
            _, other = rng.choice(self.texts[kind])
            j = rng.randrange(len(other) + 1)
            return text[:i] + other[j:j + rng.randint(1, 400)] + text[i:]
        if op == 8:  # deep nesting
            depth = rng.choice((10, 99, 101, 201, 500, 1200, 5000))
            opener, closer = rng.choice([("(", ")"), ("-", ""), ("{", "}"),
                                         ("IF (1) {" if kind == "mod" else "if (1) {", "}"), ("1+", "0")])
            return text[:i] + opener * depth + closer * depth + text[i:]
        return text[:i] + text[i:][::-1][:rng.randint(1, 10)] + text[i:]  # a few characters reversed in place


@dataclass
class Outcome:
    """What one case did: status "ok", "refused" or "crash"; `detail` says what."""

    status: str
    detail: str = ""


def _bridge_frame(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "/bridge/" in f.filename or "/validation/" in f.filename] or frames
    f = own[-1] if own else None
    where = f"{Path(f.filename).name}:{f.lineno} in {f.name}" if f else "?"
    return f"{type(exc).__name__}: {str(exc)[:200]} ({where})"


def run_case(case: Case, folder: Path, mechanisms: Path | None = None) -> Outcome:
    """Translate (.mod) or load (.hoc) `case` inside the model folder `folder`."""
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            if case.kind == "mod":
                _translate(case, folder)
            else:
                _load(case, folder, mechanisms)
    except BridgeError as err:
        if SECRET in str(err):
            return Outcome("crash", f"error quotes a file outside the model folder: {str(err)[:200]}")
        if not _names_a_place(err):
            return Outcome("crash", f"{type(err).__name__} without file:line: {str(err)[:200]}")
        return Outcome("refused", type(err).__name__)
    except RecursionError as exc:
        return Outcome("crash", _bridge_frame(exc))
    except Exception as exc:  # noqa: BLE001 - the point of the fuzzer
        return Outcome("crash", _bridge_frame(exc))
    return Outcome("ok")


def _names_a_place(err: BridgeError) -> bool:
    """A BridgeError from a model file names where (a location, or the file's name in its text)."""
    return err.location is not None or ".mod" in str(err) or ".hoc" in str(err)


def _translate(case: Case, folder: Path) -> None:
    from bridge.nmodl.load import load_mod

    path = folder / "fuzz.mod"
    path.write_text(case.text, encoding="utf-8", errors="surrogateescape")
    load_mod(path, limits=FUZZ_LIMITS)


def _load(case: Case, folder: Path, mechanisms: Path | None) -> None:
    from bridge.hoc.session import HocSession

    path = folder / "init.hoc"
    path.write_text(case.text, encoding="utf-8", errors="surrogateescape")
    session = HocSession(mechanisms, cwd=folder, limits=FUZZ_LIMITS)
    session.load_file(path)
    model = session.model()
    model.to_model()
