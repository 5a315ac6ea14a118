"""What a HOC name means when it is not a variable of the program.

`bridge.hoc.names.lookup` resolves a name to a variable or procedure of the program
(`bridge.hoc.values`: `NumVar`, `StrVar`, `ObjVar`, `SecVar`, `Proc`), a built-in
function (`Builtin`), a user template (`Template`), or one of these:

- `GlobalVar`: one of NEURON's global variables (`celsius`, `dt`, `t`, ...) or a mechanism GLOBAL;
- `Constant`: a name with a fixed value (`NULLobject`, `nil`);
- `BuiltinClass`: one of NEURON's classes (`Vector`, `List`, `Graph`, ...);
- a `RangeVar`: a section property (`L`, `nseg`, `Ra`, `rallbranch`), a segment
  variable (`diam`, `cm`, `v`) or a mechanism's range variable (`gnabar_hh`, `ena`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GlobalVar:
    """A global variable of NEURON (`ModelState.globals`)."""

    name: str


@dataclass(frozen=True)
class Constant:
    """A name with a fixed value, which cannot be assigned."""

    value: Any


NULL_OBJECT = Constant(None)  # `NULLobject`; stdlib.hoc declares `objref nil`, which stays NULLobject


@dataclass(frozen=True)
class BuiltinClass:
    """One of NEURON's classes (`Interpreter.classes`): `new Vector()`, `PWManager[0]`."""

    name: str


@dataclass(frozen=True)
class RangeVar:
    """A name that has a value per section or segment: `diam`, `nseg`, `gnabar_hh`.
    `name` is the variable's own name (`gnabar` in `gnabar_hh`)."""

    name: str


@dataclass(frozen=True)
class SectionProperty(RangeVar):
    """One value per section: `L` [um], `nseg`, `Ra` [ohm cm], `rallbranch`."""


@dataclass(frozen=True)
class SegmentVariable(RangeVar):
    """One value per segment that every section has: `diam` [um], `cm` [uF/cm2], `v` [mV]."""


@dataclass(frozen=True)
class MechanismVariable(RangeVar):
    """A range variable of a mechanism or ion (`gnabar` of `hh`, `ena` of `na_ion`)."""

    mechanism: str

    @property
    def is_ion(self) -> bool:
        return self.mechanism.endswith("_ion")

    @property
    def hoc_name(self) -> str:
        """The name HOC writes: `gnabar_hh`; an ion's variables have no suffix (`ena`)."""
        return self.name if self.is_ion else f"{self.name}_{self.mechanism}"


NSEG = SectionProperty("nseg")
DIAM = SegmentVariable("diam")
CM = SegmentVariable("cm")


# stdrun.hoc's variables: HOC variables of the top level, which a template sees only through `external`
# (NEURON's C built-ins below are visible everywhere)
STDRUN_VARIABLES = frozenset({"tstop", "v_init", "steps_per_ms", "realtime", "using_cvode_", "stdrun_quiet",
                              "running_", "screen_update_invl", "nrnmainmenu_", "nstep_steprun"})
