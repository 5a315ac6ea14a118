"""Corpus mode: single-mechanism validation of every `.mod` file we can find, as a coverage table.

`python -m validation corpus [--packages P ...] [--wheel-only] [--workers N] [--out DIR]`
takes the `.mod` files of the installed `neuron` wheel (`share/modfile` and
`share/nrn/demo/release`) and of the PyPI packages of `validation.corpus`
(downloaded into its cache, never into the repository), and runs each file through
parse -> translate -> `validation.single_mechanism.validate_mod` (one compartment,
bridge against NEURON). Every file runs in its own `python` subprocess (with a
timeout), `--workers` at a time, so a crash or a hang costs one row, not the run.

It writes, to the terminal and to `DIR/coverage.md` (default
`~/.cache/bridge/corpus/report`), per package and in total: files, parsed,
translated, validated (pass), failed, bridge errors, unsupported (grouped by reason),
point processes / artificial cells (not covered by the density harness), files
NEURON refuses, and the translator goal: of the density mechanisms that NEURON
compiles and that use no VERBATIM C, random numbers or FUNCTION_TABLE, how many
validate. `DIR/results.jsonl` keeps one JSON record per file (written as files
finish); `--render` rebuilds the report from it without running anything.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

WHEEL = "neuron (wheel)"

# Final status of a file (one per file), in table order.
# 'parse error' is bridge's parser refusing a file nocmodl accepts; both refusing is 'NEURON refuses'.
STATUSES = ("pass", "fail", "error", "unsupported", "not validated", "NEURON refuses", "parse error", "timeout")

# Grouping of `unsupported` reasons: (substring of the reason, group), first match wins.
REASON_GROUPS = (
    ("VERBATIM", "VERBATIM"),
    ("random-number", "random functions"),
    ("RANDOM variables", "random functions"),
    ("FUNCTION_TABLE", "FUNCTION_TABLE"),
    ("POINTER", "POINTER"),
    ("ARTIFICIAL_CELL", "artificial cell"),
    ("net_send", "NET_RECEIVE / events"),
    ("net_event", "NET_RECEIVE / events"),
    ("net_move", "NET_RECEIVE / events"),
    ("NET_RECEIVE", "NET_RECEIVE / events"),
    ("WATCH", "NET_RECEIVE / events"),
    ("FOR_NETCONS", "NET_RECEIVE / events"),
    ("network events", "NET_RECEIVE / events"),
    ("EXTERNAL", "EXTERNAL"),
    ("INCLUDE", "INCLUDE"),
    ("DISCRETE", "DISCRETE / LAG"),
    ("LAG", "DISCRETE / LAG"),
    ("LONGITUDINAL_DIFFUSION", "LONGITUDINAL_DIFFUSION"),
    ("TABLE", "TABLE"),
    ("METHOD", "METHOD"),
    ("STEADYSTATE", "STEADYSTATE"),
    ("recursion", "recursion"),
)


def reason_group(reason: str) -> str:
    """The group an `unsupported` reason is counted under (`REASON_GROUPS`; else 'other')."""
    return next((group for key, group in REASON_GROUPS if key in reason), "other")


@dataclass
class FileRecord:
    """What happened to one `.mod` file in the corpus run."""

    package: str
    path: str  # [relative to the package's unpacked folder, or to the wheel's share/]
    kind: str = ""  # 'density', 'point process', 'artificial cell' ('' when it does not parse)
    parsed: bool = False
    translated: bool = False
    status: str = "error"  # one of STATUSES
    reason: str = ""
    methods: list[str] = field(default_factory=list)
    max_dv: float | None = None  # [mV], over both protocols; None when not run
    tolerance: float | None = None  # [mV]
    excluded: list[str] = field(default_factory=list)  # VERBATIM / random functions / FUNCTION_TABLE in the file
    neuron_compiles: bool | None = None  # nrnivmodl builds it (None: not asked)
    seconds: float = 0.0

    @property
    def goal(self) -> bool:
        """In the translator goal's set: a density mechanism NEURON compiles, without excluded features."""
        return self.kind == "density" and not self.excluded and bool(self.neuron_compiles)

    @property
    def group(self) -> str:
        return reason_group(self.reason) if self.status == "unsupported" else ""

    @classmethod
    def from_json(cls, d: dict) -> FileRecord:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


# ----------------------------------------------------------------------------- finding files


def wheel_files() -> list[tuple[str, Path, str]]:
    """(package, file, relative name) for the .mod files shipped in the neuron wheel."""
    import importlib.util

    spec = importlib.util.find_spec("neuron")
    if spec is None or spec.origin is None:
        return []
    share = Path(spec.origin).parent / ".data" / "share"
    found = sorted((share / "modfile").glob("*.mod")) + sorted((share / "nrn" / "demo" / "release").glob("*.mod"))
    return [(WHEEL, p, str(p.relative_to(share))) for p in found]


def package_files(package: str, root: Path) -> tuple[list[tuple[str, Path, str]], str]:
    """(package, file, relative name) for a PyPI package's .mod files (downloaded once), and an error."""
    from bridge.errors import BridgeError
    from validation.corpus import download

    try:
        folder = download(package, root)
    except (BridgeError, OSError, subprocess.SubprocessError) as err:
        return [], str(err).splitlines()[0]
    src = folder / "src"
    return [(package, p, str(p.relative_to(src))) for p in sorted(src.rglob("*.mod"))], ""


# ----------------------------------------------------------------------------- one file (in a subprocess)


_KINDS = {"SUFFIX": "density", "POINT_PROCESS": "point process", "ARTIFICIAL_CELL": "artificial cell"}


def excluded_features(program) -> list[str]:
    """Which of VERBATIM (with C code), random functions / RANDOM and FUNCTION_TABLE a parsed file uses."""
    from bridge.nmodl import ast
    from bridge.nmodl.analysis.refusals import only_comments
    from bridge.nmodl.analysis.vocabulary import RANDOM_FUNCTIONS

    found = set()
    for node in ast.walk(program):
        if isinstance(node, ast.Verbatim) and not only_comments(node.text):
            found.add("VERBATIM")
        elif isinstance(node, ast.FunctionTableBlock):
            found.add("FUNCTION_TABLE")
        elif isinstance(node, ast.Call) and node.name in RANDOM_FUNCTIONS:
            found.add("random functions")
    if program.neuron.randoms:
        found.add("random functions")
    return sorted(found)


def inspect_file(package: str, path: Path, rel: str) -> FileRecord:
    """Parse, translate and validate one file (runs NEURON in subprocesses; imports jax)."""
    from bridge.errors import BridgeError
    from bridge.nmodl import parse_file
    from validation.corpus import _nocmodl, nocmodl_accepts
    from validation.neuron_run import NEURON_BUILTINS, compile_mod_files
    from validation.single_mechanism import validate_mod

    rec = FileRecord(package, rel)
    try:
        program = parse_file(path)
    except BridgeError as err:
        rec.status, rec.reason = "parse error", str(err).splitlines()[0]
        exe = _nocmodl()
        if exe is not None and not nocmodl_accepts(exe, path)[0]:  # not a bridge gap: NEURON refuses it too
            rec.status, rec.reason = "NEURON refuses", f"nocmodl refuses it too; {rec.reason}"
            rec.neuron_compiles = False
        return rec
    rec.parsed = True
    rec.kind = _KINDS.get(program.neuron.kind or "", "")
    rec.excluded = excluded_features(program)
    res = validate_mod(path)
    rec.translated = bool(res.name)  # validate_mod names the result once load_mod succeeded
    rec.methods, rec.reason, rec.seconds = list(res.methods), res.reason, res.seconds
    if res.status in ("pass", "fail"):
        rec.status, rec.max_dv, rec.tolerance, rec.neuron_compiles = res.status, res.max_dv, res.tolerance, True
    elif res.status == "skipped" and "nrnivmodl" in res.reason:
        rec.status, rec.neuron_compiles = "NEURON refuses", False
    elif res.status == "skipped":  # translated point process: the density harness does not run it
        rec.status = "not validated"
    else:
        rec.status = res.status  # 'unsupported' or 'error'
    if rec.neuron_compiles is None and rec.kind == "density" and not rec.excluded:
        name = program.neuron.name
        try:  # does NEURON compile it? (cached by content; needed for the goal's denominator)
            rec.neuron_compiles = name in NEURON_BUILTINS or compile_mod_files([path]) is not None
        except BridgeError:
            rec.neuron_compiles = False
            if rec.status == "error":
                rec.status, rec.reason = "NEURON refuses", f"nrnivmodl refuses it too; {rec.reason}"
    return rec


def run_worker(module: str, package: str, path: Path, rel: str, timeout: float) -> tuple[dict | None, str, str]:
    """`python -m <module> --one package path rel` in a fresh subprocess, so a crash or a hang costs one
    file: (the worker's last JSON line, "", "") or (None, "timeout" or "error", why there is no result)."""
    cmd = [sys.executable, "-m", module, "--one", package, str(path), rel]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        return None, "timeout", f"no result within {timeout:g} s"
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return None, "error", f"worker died (rc {proc.returncode}): {tail[:160]}"
    return json.loads(lines[-1]), "", ""


def run_one(package: str, path: Path, rel: str, timeout: float) -> FileRecord:
    """`inspect_file` in a fresh `python` subprocess (`run_worker`)."""
    result, status, why = run_worker("validation.corpus_validate", package, path, rel, timeout)
    if result is None:
        return FileRecord(package, rel, status=status, reason=why)
    return FileRecord.from_json(result)


# ----------------------------------------------------------------------------- the tables (pure)


def package_counts(records: list[FileRecord]) -> dict[str, int]:
    """The coverage numbers of one package's (or all) records."""
    c = {"files": len(records), "density": sum(r.kind == "density" for r in records),
         "parsed": sum(r.parsed for r in records), "translated": sum(r.translated for r in records)}
    for s in STATUSES:
        c[s] = sum(r.status == s for r in records)
    goal = [r for r in records if r.goal]
    c["goal"] = len(goal)
    c["goal pass"] = sum(r.status == "pass" for r in goal)
    return c


def _percent(n: int, d: int) -> str:
    return f"{n}/{d} ({100.0 * n / d:.0f}%)" if d else "0/0"


def _table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(len(head))]
    line = lambda row: "| " + " | ".join(str(v).ljust(w) for v, w in zip(row, widths)) + " |"  # noqa: E731
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def _packages(records: list[FileRecord], errors: dict[str, str]) -> list[str]:
    return list(dict.fromkeys([r.package for r in records] + list(errors)))


def coverage_table(records: list[FileRecord], errors: dict[str, str] | None = None) -> str:
    """Per package and in total: parsed / translated / validated / failed / ... and the goal percentage."""
    errors = errors or {}
    head = ["package", "files", "density", "parsed", "translated", "validated (pass)", "failed", "bridge error",
            "unsupported", "point process: not validated", "NEURON refuses", "parse error", "timeout",
            "goal: eligible density mechanisms validated"]
    keys = ["files", "density", "parsed", "translated", "pass", "fail", "error", "unsupported", "not validated",
            "NEURON refuses", "parse error", "timeout"]
    rows = []
    for pkg in _packages(records, errors):
        if pkg in errors:
            rows.append([pkg] + ["-"] * (len(head) - 2) + [f"download failed: {errors[pkg][:60]}"])
            continue
        c = package_counts([r for r in records if r.package == pkg])
        rows.append([pkg] + [str(c[k]) for k in keys] + [_percent(c["goal pass"], c["goal"])])
    c = package_counts(records)
    rows.append(["total"] + [str(c[k]) for k in keys] + [_percent(c["goal pass"], c["goal"])])
    return _table(head, rows)


def unsupported_table(records: list[FileRecord]) -> str:
    """Unsupported files by reason group (rows) and package (columns)."""
    unsupported = [r for r in records if r.status == "unsupported"]
    pkgs = list(dict.fromkeys(r.package for r in records))
    groups = sorted({r.group for r in unsupported}, key=lambda g: (-sum(r.group == g for r in unsupported), g))
    rows = [[g] + [str(sum(r.group == g and r.package == p for r in unsupported)) for p in pkgs]
            + [str(sum(r.group == g for r in unsupported))] for g in groups]
    return _table(["unsupported: reason", *pkgs, "total"], rows)


def short_reason(reason: str) -> str:
    """A reason without the folder of the file it names (`/a/b/x.mod:3:1: ...` -> `x.mod:3:1: ...`)."""
    return re.sub(r"(?<![\w.])/\S*/([^/\s]+\.mod:)", r"\1", reason)


def file_table(records: list[FileRecord]) -> str:
    """One row per file: file, kind, methods, status, max |dV|, reason."""
    rows = []
    for r in records:
        dv = "" if r.max_dv is None else f"{r.max_dv:.2e}"
        reason = short_reason(r.reason).replace("|", "\\|").replace("\n", " ")
        rows.append([f"{r.package}: {r.path}", r.kind, ", ".join(r.methods), r.status, dv,
                     (f"[{r.group}] " if r.group else "") + reason[:200]])
    return _table(["file", "kind", "methods", "status", "max abs dV (mV)", "reason"], rows)


def markdown_report(records: list[FileRecord], errors: dict[str, str] | None = None) -> str:
    c = package_counts(records)
    failing = [r for r in records if r.goal and r.status != "pass"]
    lines = [
        "# Corpus coverage: single-mechanism validation against NEURON", "",
        "Each file: parsed by bridge, translated (`load_mod`), then run in one compartment in bridge and in "
        "NEURON (`validation.single_mechanism`); 'validated' means max |dV| and every STATE within tolerance "
        "(1e-9 mV; 1e-6 mV for derivimplicit/sparse). Point processes and artificial cells are translated but "
        "not run by the density harness ('point process: not validated').", "",
        coverage_table(records, errors), "",
        f"Translator goal (density mechanisms that NEURON compiles, without VERBATIM C, random numbers or "
        f"FUNCTION_TABLE): {_percent(c['goal pass'], c['goal'])} validate.", "",
        "## Unsupported, by reason", "", unsupported_table(records), "",
    ]
    if failing:
        lines += ["## Goal files that do not validate", "",
                  *[f"- {r.package}: {r.path}: {r.status}: {short_reason(r.reason)}"
                    + (f" (max |dV| {r.max_dv:.2e} mV)" if r.max_dv is not None else "") for r in failing], ""]
    broken = [r for r in records if r.status in ("fail", "error", "timeout") and not r.goal]
    if broken:
        lines += ["## Other files that fail or stop with an error", "",
                  *[f"- {r.package}: {r.path} ({r.kind or 'unparsed'}): {r.status}: {short_reason(r.reason)}"
                    + (f" (max |dV| {r.max_dv:.2e} mV)" if r.max_dv is not None else "") for r in broken], ""]
    lines += ["## Every file", "", file_table(records), ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    from validation.corpus import DEFAULT_PACKAGES, cache_root

    ap = argparse.ArgumentParser(prog="python -m validation corpus",
                                 description="single-mechanism validation of every .mod file of the neuron wheel "
                                             "and of PyPI packages; writes a coverage table")
    ap.add_argument("--packages", nargs="*", default=list(DEFAULT_PACKAGES),
                    help="PyPI packages (default: %(default)s)")
    ap.add_argument("--wheel-only", action="store_true", help="only the neuron wheel's .mod files")
    ap.add_argument("--no-wheel", action="store_true", help="only the packages' .mod files")
    ap.add_argument("--workers", type=int, default=2, help="files validated at once (default 2)")
    ap.add_argument("--out", type=Path, default=cache_root() / "report", help="folder for coverage.md, results.jsonl")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per file (default 900)")
    ap.add_argument("--render", action="store_true", help="only rebuild coverage.md from DIR/results.jsonl")
    ap.add_argument("--rerun", nargs="+", metavar="STATUS", choices=STATUSES,
                    help="run again only the files of DIR/results.jsonl with these statuses, and update it")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results, report = args.out / "results.jsonl", args.out / "coverage.md"
    errors: dict[str, str] = {}
    if args.render or args.rerun:
        records = [FileRecord.from_json(json.loads(ln)) for ln in results.read_text().splitlines() if ln.strip()]
    if not args.render:
        jobs = [] if args.no_wheel else wheel_files()
        for pkg in [] if args.wheel_only else args.packages:
            found, err = package_files(pkg, cache_root())
            if err:
                errors[pkg] = err
            jobs += found
        if args.rerun:
            redo = {(r.package, r.path) for r in records if r.status in args.rerun}
            jobs = [job for job in jobs if (job[0], job[2]) in redo]
            again = {(r.package, r.path): r for r in _run(jobs, args.workers, args.timeout, args.out / "rerun.jsonl")}
            records = [again.get((r.package, r.path), r) for r in records]
            results.write_text("".join(json.dumps(asdict(r)) + "\n" for r in records))
        else:
            records = _run(jobs, args.workers, args.timeout, results)
    order = {p: i for i, p in enumerate(_packages(records, errors))}
    records.sort(key=lambda r: (order[r.package], r.path))
    print(coverage_table(records, errors))
    print()
    print(unsupported_table(records))
    report.write_text(markdown_report(records, errors))
    print(f"\nwrote {report}")
    return 0 if all(r.status == "pass" for r in records if r.goal) else 1


def _run(jobs: list[tuple[str, Path, str]], workers: int, timeout: float, results: Path) -> list[FileRecord]:
    from tqdm import tqdm

    records = []
    with results.open("w") as out, ThreadPoolExecutor(max(1, workers)) as pool:
        futures = [pool.submit(run_one, pkg, path, rel, timeout) for pkg, path, rel in jobs]
        for fut in tqdm(as_completed(futures), total=len(futures), desc="corpus", unit="file"):
            rec = fut.result()
            records.append(rec)
            out.write(json.dumps(asdict(rec)) + "\n")
            out.flush()
    return records


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--one":
        import jax

        jax.config.update("jax_enable_x64", True)
        print(json.dumps(asdict(inspect_file(sys.argv[2], Path(sys.argv[3]), sys.argv[4]))), flush=True)
    else:
        raise SystemExit(main())
