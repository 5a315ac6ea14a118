"""A validation case: a model, a protocol and tolerances, as plain data.

    case = Case("ball-stick", hoc="cell.hoc", mechanisms="mod/",
                protocol=Protocol(tstop=50, stimuli=[IClamp("soma", 0.5, delay=5, dur=20, amp=0.2)]))

The model is one of
- a HOC file (`hoc`), run with the working directory `cwd` (default: the file's
  folder, where NEURON users start nrniv), then the HOC `statements`;
- a Python-built `SectionTree` (`tree`).
Either way `mechanisms` names the model's .mod files (a folder, or a list of
files): bridge translates them, NEURON compiles those of the mechanisms the model
uses. `allow_read` names folders (or files) outside the model folder that the
model may read (`load_file("../common/x.hoc")`, `INCLUDE "../inc/x.inc"`).
`bridge_mechanisms` (a folder) makes bridge use other .mod files than NEURON,
to check a port of the model's mechanisms against the originals. `output_dir`
(a folder) lets the model write files: bridge's into `output_dir/model-output/`,
NEURON's (run on a copy of the model folder) moved into `output_dir/neuron-output/`,
then compared (`validation.output_files`); without it every write is refused.

A `Protocol` holds what the run needs; `None` means "as the model sets it"
(the HOC's own tstop, dt, v_init, ...; NEURON's defaults for a SectionTree).
It travels to the NEURON subprocess as JSON (`to_dict`/`from_dict`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bridge.errors import BridgeError
from bridge.solver.record import parse_point_process_probe, parse_probe

# APCount's default threshold [mV]: where spike times are read (upward crossing).
SPIKE_THRESHOLD = -20.0


def split_probe(probe: str) -> tuple[str, float, str]:
    """`"dend[2](0.25).m_hh"` → ("dend[2]", 0.25, "m_hh")."""
    sec, x, var = parse_probe(probe)
    if not 0.0 <= x <= 1.0:
        raise BridgeError(f"recording {probe!r}: x must be in [0, 1]")
    return sec, x, var


def probe_variable(label: str) -> str:
    """The variable a recording label reads: "v" of "soma(0.5).v", "i" of "SEClamp[0].i"."""
    pp = parse_point_process_probe(label)
    return pp[2] if pp else split_probe(label)[2]


@dataclass
class IClamp:
    """A current step at `section(x)`: NEURON's IClamp with `del` = `delay` [ms], `dur` [ms], `amp` [nA]."""

    section: str
    x: float = 0.5
    delay: float = 0.0
    dur: float = 0.0
    amp: float = 0.0

    @classmethod
    def parse(cls, text: str) -> IClamp:
        """`"soma(0.5),5,20,0.3"` (section(x), del [ms], dur [ms], amp [nA]; commas or spaces)."""
        m = re.match(r"^\s*([^()\s,]+)\s*(?:\(\s*([^()]+)\s*\))?\s*[, ]\s*(.+)$", text)
        parts = re.split(r"[,\s]+", m.group(3).strip()) if m else []
        if not m or len(parts) != 3:
            raise BridgeError(f"--stim {text!r}: expected SECTION(X),DEL,DUR,AMP, e.g. soma(0.5),5,20,0.3")
        try:
            x = float(m.group(2)) if m.group(2) else 0.5
            delay, dur, amp = (float(p) for p in parts)
        except ValueError:
            raise BridgeError(f"--stim {text!r}: DEL, DUR and AMP must be numbers (ms, ms, nA)") from None
        return cls(m.group(1), x, delay, dur, amp)

    def params(self) -> dict[str, float]:
        """NEURON's parameter names."""
        return {"del": self.delay, "dur": self.dur, "amp": self.amp}


@dataclass
class Protocol:
    """What to run and record. Settings left `None` are the model's own.

    `tstop` [ms], `dt` [ms], `v_init` [mV], `celsius` [degC], `secondorder`
    (0, 1, 2); `stimuli` are IClamps added to the model's own; `recordings` are
    probes `section(x).variable` (v, STATEs such as `m_hh`, ion variables such
    as `cai`), recorded besides v at the soma-like root and at the distal
    dendrite, which every case records (see `validation.defaults`). `record_all`: also record v at
    every segment (the whole-cell error and the error map), up to `max_segments`. `record_states`: also record
    every STATE of the mechanisms at the soma (e.g. `m_hh`) and each ion's inside
    concentration and reversal potential there (`cai`, `eca`). `globals`: NEURON globals
    by name (`{"usetable_hh": 0}`). `default_steps`: when the model itself
    defines no stimulus and no stimulus is given here, inject the default
    current steps at the soma-like root section (see `validation.defaults`).
    """

    tstop: float | None = None
    dt: float | None = None
    v_init: float | None = None
    celsius: float | None = None
    secondorder: int | None = None
    stimuli: list[IClamp] = field(default_factory=list)
    recordings: list[str] = field(default_factory=list)
    record_all: bool = True
    record_states: bool = True
    max_segments: int = 2000
    globals: dict[str, float] = field(default_factory=dict)
    default_steps: bool = True
    spike_threshold: float = SPIKE_THRESHOLD

    def __post_init__(self) -> None:
        self.stimuli = [s if isinstance(s, IClamp) else IClamp(**s) for s in self.stimuli]
        for rec in self.recordings:
            probe_variable(rec)  # raises for a label that is neither form
        if self.secondorder is not None and self.secondorder not in (0, 1, 2):
            raise BridgeError(f"secondorder must be 0, 1 or 2, got {self.secondorder}")
        if self.dt is not None and not self.dt > 0:
            raise BridgeError(f"dt must be > 0, got {self.dt}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Protocol:
        return cls(**data)


@dataclass
class Tolerance:
    """Pass bars: `max_dv` [mV] on every voltage sample; `state` on other recordings, relative to
    max(1, |NEURON's value|); `spike_time` [ms] on matched spikes (and spike counts must agree);
    `geometry` relative on every segment's area and ri.

    `roundoff` (a factor, or None for the fixed bars alone): NEURON also runs the case again unperturbed
    and again with v one ulp higher on every node after initialisation (and every ms); where the unperturbed
    rerun is bit-identical and one ulp leaves NEURON's spikes as they were, the bar on v at each sample
    becomes the larger of the fixed bar and `roundoff` times NEURON's own largest difference so far, and
    each state's bar likewise (its round-off sensitivity: long active runs amplify the last bit;
    `validation.roundoff`, docs/validation.md)."""

    max_dv: float = 1e-9
    state: float = 1e-9
    spike_time: float = 1e-6
    geometry: float = 1e-12
    netcon_spike_time: float = 1e-9  # [ms] on the spike times of recorded NetCon sources (validation.spikes)
    roundoff: float | None = None


# `bridge validate`'s round-off factor when no --atol is given: bridge's difference from NEURON may be
# this many times NEURON's own difference under a one-ulp perturbation of v.
ROUNDOFF_FACTOR = 10.0


@dataclass
class Case:
    """One model with its protocol and tolerances (see the module docstring)."""

    name: str
    hoc: str | Path | None = None
    tree: Any = None  # bridge.morphology.tree.SectionTree
    mechanisms: str | Path | Sequence[str | Path] | None = None
    statements: Sequence[str] = ()
    cwd: str | Path | None = None
    bridge_mechanisms: str | Path | None = None
    protocol: Protocol = field(default_factory=Protocol)
    tolerance: Tolerance = field(default_factory=Tolerance)
    allow_read: Sequence[str | Path] = ()
    timeout: float = 600.0  # [s] NEURON's side (its HOC, run and round-off run) is stopped after this
    output_dir: str | Path | None = None

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise BridgeError(f"case {self.name!r}: timeout must be > 0 s, got {self.timeout}")
        if (self.hoc is None) == (self.tree is None):
            raise BridgeError(f"case {self.name!r}: give exactly one of hoc= (a HOC file) and tree= (a SectionTree)")
        if self.hoc is not None:
            self.hoc = Path(self.hoc).resolve()
            if not self.hoc.is_file():
                raise BridgeError(f"case {self.name!r}: no HOC file {self.hoc}")
            self.cwd = Path(self.cwd).resolve() if self.cwd is not None else self.hoc.parent
        self.statements = tuple(self.statements)
        reads = [self.allow_read] if isinstance(self.allow_read, (str, Path)) else self.allow_read
        self.allow_read = tuple(Path(p).resolve() for p in reads)
        for p in self.allow_read:
            if not p.exists():
                raise BridgeError(f"case {self.name!r}: allow_read {p} does not exist")
        if self.output_dir is not None:
            self.output_dir = Path(self.output_dir).resolve()
        if isinstance(self.protocol, dict):
            self.protocol = Protocol.from_dict(self.protocol)

    def mod_files(self) -> list[Path]:
        """The model's .mod files (what NEURON compiles), sorted by name as nrnivmodl takes them."""
        return mod_files_of(self.mechanisms)

    def bridge_mod_files(self) -> list[Path]:
        """The .mod files bridge translates (`bridge_mechanisms` when given)."""
        return mod_files_of(self.bridge_mechanisms) if self.bridge_mechanisms is not None else self.mod_files()


def mod_files_of(spec: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """.mod files of a folder (not recursive, as nrnivmodl), or a list of files (and folders)."""
    if spec is None:
        return []
    items = [spec] if isinstance(spec, (str, Path)) else list(spec)
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(p.glob("*.mod"))
        elif p.is_file():
            out.append(p)
        else:
            raise BridgeError(f"no such mechanism file or folder: {p}")
    return sorted({p.resolve() for p in out}, key=lambda p: p.name)


_NAME_RE = re.compile(r"\b(?:SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)\s+([A-Za-z_][A-Za-z_0-9]*)")
_COMMENT_RE = re.compile(r"^\s*COMMENT\b.*?^\s*ENDCOMMENT\b", re.S | re.M)


def read_mod_text(path: str | Path) -> str:
    """The text of a .mod file the user named (a regular file within Limits.max_file_size: a FIFO
    named x.mod in a mechanism folder must not hang the validation; `bridge.readroots`)."""
    from bridge.readroots import ReadRoots

    return ReadRoots.of([], [path]).read_text(path, "NMODL")


def mechanism_name(path: Path) -> str | None:
    """The SUFFIX / POINT_PROCESS name a .mod file defines (a quick look, without parsing)."""
    text = read_mod_text(path).replace("\r\n", "\n").replace("\r", "\n")  # old Mac files end lines with CR
    text = _COMMENT_RE.sub("", text)
    text = re.sub(r":[^\n]*", "", text)
    m = _NAME_RE.search(text)
    return m.group(1) if m else None
