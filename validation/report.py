"""The validation report: a terminal table, a markdown file and PNG plots.

    print(table(results))
    write_report(results, "validation-out/")   # report.md + <case>-traces.png, -diff.png, -morph.png

One row per case: PASS / CHAOTIC / FAIL / ERROR, max |dV| [mV], RMS [mV], the largest
spike-time difference [ms], spike counts (bridge/NEURON), bridge and NEURON
wall times [s] (model loading plus run; bridge's run includes jit compilation)
and, for a case that did not pass, why. Plots are drawn headless (matplotlib's
Agg canvas, never pyplot): the named recordings of both sides overlaid, their
difference (bridge - NEURON), and the morphology coloured by each segment's
max |dV| (log scale).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from validation.case import probe_variable
from validation.suite import CaseResult

COLUMNS = ("case", "result", "max |dV| [mV]", "NEURON round-off [mV]", "RMS [mV]", "spike dt [ms]", "spikes b/N",
           "bridge [s]", "NEURON [s]", "note")


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if not np.isfinite(x):
        return "inf" if x > 0 else "nan"
    return "0" if x == 0 else f"{x:.2e}"


def _note(r: CaseResult) -> str:
    if r.status == "error":
        lines = [line.strip() for line in r.error.strip().splitlines() if line.strip()]
        from_neuron = [line for line in lines if line.startswith("NEURON:")]
        return from_neuron[-1] if from_neuron else (lines[0] if lines else "error")
    if r.status == "chaotic" and r.comparison is not None:
        return r.comparison.chaotic_verdict(float(r.neuron.settings.get("tstop", 0.0)) if r.neuron else 0.0)
    if r.status == "fail" and r.comparison is not None:
        extra = f" (+{len(r.comparison.reasons) - 1} more)" if len(r.comparison.reasons) > 1 else ""
        return r.comparison.reasons[0] + extra
    return ""


def row(r: CaseResult) -> list[str]:
    """The table cells of one result."""
    c = r.comparison
    spikes = f"{c.spike_counts[0]}/{c.spike_counts[1]}" if c else "-"
    return [r.name, r.status.upper(), _num(c.max_dv) if c else "-",
            _num(c.roundoff_dv) if c else "-", _num(c.rms_dv) if c else "-",
            _num(c.spike_shift) if c else "-", spikes,
            f"{r.bridge.seconds:.2f}" if r.bridge else "-", f"{r.neuron.seconds:.2f}" if r.neuron else "-", _note(r)]


def table(results: Sequence[CaseResult]) -> str:
    """The terminal table (fixed-width columns) with a summary line."""
    rows = [list(COLUMNS)] + [row(r) for r in results]
    widths = [max(len(rw[k]) for rw in rows) for k in range(len(COLUMNS) - 1)]
    lines = []
    for k, rw in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(rw, widths)) + "  " + rw[-1])
        if k == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 4)
    lines.append(passed_line(results))
    return "\n".join(line.rstrip() for line in lines)


def passed_line(results: Sequence[CaseResult]) -> str:
    """"N/M cases passed", and how many of the others were chaotic (`validation.suite.verdict`)."""
    chaotic = sum(r.status == "chaotic" for r in results)
    return (f"{sum(r.passed for r in results)}/{len(results)} cases passed"
            + (f", {chaotic} chaotic (matched NEURON up to its own reproducibility horizon)" if chaotic else ""))


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "case"


def _figure(width: float = 7.0, height: float = 4.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def _voltages(r: CaseResult) -> list[str]:
    """The named v recordings both sides have (STATEs and concentrations are in the markdown tables)."""
    return [lab for lab in r.neuron.named if lab in r.bridge.labels and probe_variable(lab) == "v"]


def _save(fig, ax, path: Path) -> Path:
    """Legend (when something is labelled), tight layout, PNG at `path`."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def plot_traces(r: CaseResult, path: Path) -> Path:
    """The named v recordings of NEURON (wide, pale) and bridge (dashed) overlaid."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    for k, label in enumerate(r.neuron.named):
        if label not in _voltages(r):
            continue
        colour = f"C{k % 10}"
        ax.plot(r.neuron.t, r.neuron.trace(label), color=colour, lw=2.5, alpha=0.4, label=f"{label} NEURON")
        ax.plot(r.bridge.t, r.bridge.trace(label), color=colour, lw=1.0, ls="--", label=f"{label} bridge")
    ax.set_xlabel("t [ms]")
    ax.set_ylabel("v [mV]")
    ax.set_title(f"{r.name}: bridge and NEURON")
    return _save(fig, ax, path)


def plot_difference(r: CaseResult, path: Path) -> Path:
    """bridge - NEURON for each named recording, against time."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    for k, label in enumerate(r.neuron.named):
        if label in _voltages(r):
            ax.plot(r.neuron.t, r.bridge.trace(label) - r.neuron.trace(label), color=f"C{k % 10}", lw=1.0, label=label)
    ax.axhline(0.0, color="0.6", lw=0.5)
    ax.set_xlabel("t [ms]")
    ax.set_ylabel("bridge - NEURON [mV]")
    ax.set_title(f"{r.name}: difference (max |dV| {_num(r.comparison.max_dv)} mV)")
    return _save(fig, ax, path)


def node_errors(r: CaseResult) -> np.ndarray:
    """Max |dV| [mV] per NEURON node of bridge's layout (0 where a segment was not recorded)."""
    from bridge.morphology.nodes import node_layout

    lay = node_layout(r.bridge.tree)
    values = np.zeros(lay.nnode)
    for sec, errs in r.comparison.segment_dv.items():
        if sec in lay.section_names and len(errs) == int(lay.nseg[lay.section_index(sec)]):
            values[lay.segment_nodes(sec)] = errs
    return values


def plot_morphology(r: CaseResult, path: Path) -> Path:
    """The morphology coloured by each segment's max |dV| (log scale)."""
    from bridge.morphology.plot import save_morph_png

    errors = node_errors(r)
    floor = max(float(errors[errors > 0].min()) if np.any(errors > 0) else 1e-16, 1e-16)
    return save_morph_png(path, r.bridge.tree, np.maximum(errors, floor), log=True, label="max |dV| [mV]",
                          title=f"{r.name}: max |dV| per segment")


def _complete_map(r: CaseResult) -> bool:
    """Whether v was compared at every segment of every section (the error map needs it)."""
    return bool(r.comparison.segment_dv) and set(r.comparison.segment_dv) == set(r.neuron.geometry)


def plots(r: CaseResult, out: Path) -> list[Path | str]:
    """The PNGs of one case (none for a case that did not run on both sides); a plot that cannot be
    drawn is listed by its error message instead, so the report still gets written."""
    if r.comparison is None or r.bridge is None or r.neuron is None:
        return []
    base = _slug(r.name)
    jobs = [(plot_traces, "traces"), (plot_difference, "diff")]
    if _complete_map(r) and r.bridge.tree is not None:
        jobs.append((plot_morphology, "morph"))
    paths: list[Path | str] = []
    for fn, kind in jobs:
        try:
            paths.append(fn(r, out / f"{base}-{kind}.png"))
        except Exception as exc:  # noqa: BLE001 - a plot must not lose the whole report
            paths.append(f"{kind} plot failed: {type(exc).__name__}: {exc}")
    return paths


def markdown(results: Sequence[CaseResult], images: dict[str, list[Path | str]] | None = None) -> str:
    """The report as markdown: the summary table, then one section per case."""
    images = images or {}
    lines = ["# bridge validation report", "", f"{passed_line(results)}.", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row(r)) + " |")
    for r in results:
        lines += ["", f"## {r.name}: {r.status.upper()}", ""]
        case = r.case
        model = f"HOC `{case.hoc}`" if case.hoc is not None else "Python-built SectionTree"
        lines.append(f"- model: {model}; mechanisms: {', '.join(p.name for p in case.mod_files()) or 'built-in only'}")
        if case.bridge_mechanisms is not None:
            lines.append(f"- bridge uses the mechanisms in `{case.bridge_mechanisms}`")
        if case.statements:
            lines.append("- statements: " + "; ".join(f"`{s}`" for s in case.statements))
        t = case.tolerance
        lines.append(f"- tolerances: |dV| {t.max_dv:g} mV, states {t.state:g} (relative), "
                     f"spike times {t.spike_time:g} ms, geometry {t.geometry:g} (relative)"
                     + (f"; or {t.roundoff:g} x NEURON's own round-off so far (its run with v one ulp up), "
                        "where NEURON's rerun is bit-identical and one ulp leaves its spikes"
                        if t.roundoff is not None else ""))
        c = r.comparison
        if c is not None and c.roundoff_dv is not None:
            lines.append(f"- max |dV| {_num(c.max_dv)} mV; NEURON against itself (v one ulp up after "
                         f"initialisation and every ms): {_num(c.roundoff_dv)} mV, unperturbed rerun "
                         f"{_num(c.rerun_dv) if c.rerun_dv is not None else '-'}; judged against "
                         f"{_num(c.dv_bound)} mV at the end"
                         + (f" (no round-off allowance: {c.roundoff_refused})" if c.roundoff_refused else ""))
        if c is not None and c.horizon is not None:
            lines.append(f"- chaotic: judged before t_h = {c.horizon:g} ms only ({c.horizon_why}); bridge's max "
                         f"|dV| there {_num(c.horizon_dv)} mV")
        if r.error:
            lines += ["", "```", r.error.strip(), "```"]
        if r.neuron is not None:
            s = r.neuron.settings
            lines.append("- NEURON ran: " + ", ".join(f"{k} = {v:g}" for k, v in s.items()))
            if r.neuron.stimuli:
                lines.append("- default current steps at " + ", ".join(
                    f"{st['section']}({st['x']:g}) {st['amp']:g} nA from {st['delay']:g} ms for {st['dur']:g} ms"
                    for st in r.neuron.stimuli))
        for side in (r.bridge, r.neuron):
            if side is not None:
                lines.append(f"- {side.side}: load {side.load_seconds:.3f} s, run {side.run_seconds:.3f} s")
                lines += [f"- note ({side.side}): {note}" for note in side.notes]
        c = r.comparison
        if c is not None:
            lines.append(f"- geometry (area, ri per segment): worst relative difference {_num(c.geometry_error)}")
            if c.reasons:
                lines += ["", "Failed because:", ""] + [f"- {reason}" for reason in c.reasons]
            lines += ["", "| recording | max abs diff | RMS | judged error | spikes bridge/NEURON | spike dt [ms] |",
                      "|---|---|---|---|---|---|"]
            named = [d for d in c.recordings if d.label in r.neuron.named or not d.voltage]
            for d in named:
                spikes = (f"{len(d.spikes_bridge)}/{len(d.spikes_neuron)}" if d.spikes_bridge is not None else "-")
                lines.append(f"| `{d.label}` | {_num(d.max_abs)} | {_num(d.rms)} | {_num(d.error)} | {spikes} | "
                             f"{_num(d.spike_shift) if d.spikes_bridge is not None else '-'} |")
            others = len(c.recordings) - len(named)
            if others:
                lines.append(f"\nplus v at {others} more segments (all in max |dV| above).")
            if c.spike_records:  # validation.spikes: the recorded NetCon sources
                lines += ["", "| spike record (NetCon source) | spikes bridge/NEURON | max spike dt [ms] | "
                          "first difference |", "|---|---|---|---|"]
                lines += [f"| `{d.label}` | {d.count_bridge}/{d.count_neuron} | {_num(d.max_dt)} | "
                          f"{d.first_divergence or '-'} |" for d in c.spike_records]
            if c.runs:  # validation.every_run: the HOC's own runs, the protocol run above
                lines += ["", f"The model's HOC ran {len(c.runs)} times; each run (v at "
                          f"{', '.join(f'`{lab}`' for lab in r.neuron.run_labels)}):", "",
                          "| run | max abs dV [mV] | spikes bridge/NEURON |", "|---|---|---|"]
                lines += [f"| {d.index} | {_num(d.max_dv)} | {d.spikes[0]}/{d.spikes[1]} |" for d in c.runs]
        if r.files:
            lines += ["", "Files the model wrote (bridge: `model-output/`, NEURON: `neuron-output/`):", "",
                      "| file | result | max abs diff of its numbers | note |", "|---|---|---|---|"]
            lines += [f"| `{f.name}` | {f.status} | {_num(f.max_diff)} | {f.note} |" for f in r.files]
        if c is not None and not _complete_map(r):
            lines.append("\n(no error map: v was not recorded at every segment)")
        for img in images.get(r.name, []):
            lines += ["", f"![{img.stem}]({img.name})" if isinstance(img, Path) else f"*{img}*"]
    return "\n".join(lines) + "\n"


def write_report(results: Sequence[CaseResult], out: str | Path, *, with_plots: bool = True) -> Path:
    """Write report.md (and the PNGs) into the folder `out`; returns the markdown file's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    images = {r.name: plots(r, out) for r in results} if with_plots else {}
    path = out / "report.md"
    path.write_text(markdown(results, images))
    return path
