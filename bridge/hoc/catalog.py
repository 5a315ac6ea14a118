"""Which mechanisms a model can use, and their HOC-visible variables, from .mod files.

The catalog maps a mechanism name (SUFFIX or POINT_PROCESS) to its .mod file.
A file's name is found with a quick look at its NEURON block; the file is parsed and
analysed (`bridge.nmodl.analysis`, as the translator does) only when the model inserts or
creates that mechanism or uses one of its variables. A file the translator refuses is an
error only then.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.errors import BridgeError, HocError
from bridge.hoc import extracellular, mod_library, verbatim_library
from bridge.limits import DEFAULT_LIMITS, Limits
from bridge.nmodl.analysis.analyze import analyze
from bridge.nmodl.analysis.hoc_calls import HocCalls, hoc_calls
from bridge.nmodl.analysis.info import MechanismInfo as TranslatorInfo
from bridge.nmodl.analysis.randoms import scop_in_initial, scop_in_step
from bridge.nmodl.analysis.runge import runge_solves
from bridge.nmodl.syntax import ast as syntax_ast
from bridge.nmodl.syntax.include import expand_includes, parse_mod_file
from bridge.nmodl.vecevent import is_vecevent
from bridge.readroots import ReadRoots

_NAME_RE = re.compile(r"\b(SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)\s+([A-Za-z_][A-Za-z_0-9]*)")
_COMMENT_RE = re.compile(r"^\s*COMMENT\b.*?^\s*ENDCOMMENT\b", re.S | re.M)

# NEURON's own names for its built-in mechanisms when no .mod file defines them.
_NEURON_BUILTIN_FILES = {"pas": "pas.mod", "hh": "hh.mod", "IClamp": "stim.mod"}


@dataclass
class MechanismInfo:
    """What HOC sees of one mechanism.

    `kind` is "density", "point" or "artificial". `parameters` maps RANGE
    PARAMETERs to their defaults (NaN-free; NEURON uses 0 when no default);
    `range_names` lists every RANGE name (parameters, range ASSIGNED, STATEs);
    `globals` maps GLOBAL names (PARAMETERs not declared RANGE) to defaults;
    `ions` lists (ion, read, write, valence).
    """

    name: str
    kind: str
    path: Path | None
    parameters: dict[str, float] = field(default_factory=dict)
    range_names: tuple[str, ...] = ()
    globals: dict[str, float] = field(default_factory=dict)
    ions: tuple[tuple[str, tuple[str, ...], tuple[str, ...], float | None], ...] = ()
    functions: tuple[str, ...] = ()  # FUNCTION and PROCEDURE names (HOC: name_suffix(...))
    recomputed: tuple[str, ...] = ()  # STATEs, currents, ASSIGNEDs INITIAL sets: finitialize() overwrites HOC's values
    net_receive: bool = False  # has a NET_RECEIVE block (a NetCon can target it: MechanismType(1))
    pointers: tuple[str, ...] = ()  # POINTER names (bridge.hoc.setpointer connects them)
    externals: tuple[str, ...] = ()  # EXTERNAL names: other mechanisms' GLOBALs (`gscale_oth`)
    function_tables: dict[str, int] = field(default_factory=dict)  # FUNCTION_TABLE name -> its number of arguments
    calls: HocCalls | None = None  # what its FUNCTIONs and PROCEDUREs use, for HOC's calls (bridge.hoc.nmodl_calls)
    randoms: tuple[str, ...] = ()  # RANDOM variables (bridge.hoc.randomvars gives each instance its streams)
    scop_random: bool = False  # draws from NEURON's one scop_random generator (bridge.hoc.randomvars)
    net_receive_args: int = 0  # NET_RECEIVE's arguments: a NetCon's weight vector size (pnt_receive_size)
    net_receive_writes: bool = False  # NET_RECEIVE (not its INITIAL) assigns an argument: it changes the weights
    assigned_parameters: tuple[str, ...] = ()  # PARAMETERs (RANGE or GLOBAL) its code assigns: the run's values
    scop_in_step: bool = False  # draws from scop_random outside INITIAL and NET_RECEIVE (bridge.hoc.randomvars)
    scop_in_initial: bool = False  # INITIAL draws from scop_random (bridge.hoc.randomvars)
    unwritten_assigned: tuple[str, ...] = ()  # RANGE ASSIGNEDs no statement of the mechanism assigns (only HOC
    # or a Vector.play sets them: to the mechanism they are parameters, bridge.hoc.play)
    arrays: dict[str, int] = field(default_factory=dict)  # RANGE arrays (`amp[1000]`) -> their size
    runge_solves: int = 0  # BREAKPOINT SOLVEs by METHOD runge: each moves t per instance (bridge.hoc.runge_t)
    states: tuple[str, ...] = ()  # its STATEs (a Vector.play assigns one as an event: bridge.hoc.play)

    def hoc_name(self, var: str) -> str:
        """`gnabar` → `gnabar_hh` (density mechanisms); point processes keep plain names."""
        return f"{var}_{self.name}" if self.kind == "density" else var

    def global_name(self, var: str) -> str:
        """The HOC name of the GLOBAL `var`: `vhalf_kdr`, for a point process too (`s_scopRandom`: NEURON's
        nrnoc/init.cpp hoc_register_var names every mechanism's GLOBALs with the suffix); a `SUFFIX nothing`
        library's is bare."""
        return var if self.kind == "library" else f"{var}_{self.name}"


def ion_candidates(hoc_name: str) -> list[str]:
    """The ions whose range variable `hoc_name` could be: `e<ion>`, `i<ion>`, `<ion>i`, `<ion>o`. An ion's name is
    any NMODL name (`USEION Ca ... VALENCE 2` gives `eCa`, `iCa`, `Cai`, `Cao`), so case is kept."""
    out = []
    if hoc_name[:1] in ("e", "i") and len(hoc_name) > 1:
        out.append(hoc_name[1:])
    if hoc_name[-1:] in ("i", "o") and len(hoc_name) > 1:
        out.append(hoc_name[:-1])
    return out


def ion_info(ion: str) -> MechanismInfo:
    """The `<ion>_ion` mechanism: e<ion>, <ion>i, <ion>o, i<ion> per segment."""
    from bridge.mechanisms.ions import DEFAULTS

    d = DEFAULTS.get(ion)
    e, ci, co = (d.e, d.ci, d.co) if d else (0.0, 1.0, 1.0)
    params = {f"e{ion}": e, f"{ion}i": ci, f"{ion}o": co}
    return MechanismInfo(
        name=f"{ion}_ion", kind="ion", path=None, parameters=params,
        range_names=(f"e{ion}", f"{ion}i", f"{ion}o", f"i{ion}"), recomputed=(f"i{ion}",),
        globals={f"{ion}i0_{ion}_ion": ci, f"{ion}o0_{ion}_ion": co},
    )


class Catalog:
    """Mechanisms from `folders` (a model's .mod folders or files) and bridge's built-in .mod files.

    The .mod files (and the files they INCLUDE) are read only inside their read roots
    (`bridge.readroots`): the folders and files named here, the folders of the files named,
    and `allow_read`; a file found in a folder that is a link out of it is refused."""

    def __init__(self, folders=(), include_builtin: bool = True, *, allow_read=(), limits: Limits = DEFAULT_LIMITS):
        self._files: dict[str, Path] = {}
        self._info: dict[str, MechanismInfo] = {}
        self._var_index: dict[str, tuple[str, str]] | None = None
        # mechanisms the HOC defines while it runs (KSChan, `bridge.hoc.kschan`): name -> provider with
        # `info()` (a MechanismInfo) and `mechanism()` (the solver's Mechanism), in creation order
        self._runtime: dict[str, Any] = {}
        # `SUFFIX nothing` files: FUNCTION libraries with bare HOC names (bridge.hoc.mod_library):
        # key -> (path, comment-free text, its FUNCTION/PROCEDURE names)
        self._libraries: dict[str, tuple[Path, str, tuple[str, ...]]] = {}
        paths: list[Path] = []
        builtin_paths: set[Path] = set()
        if include_builtin:
            builtin = Path(__file__).resolve().parent.parent / "mechanisms" / "builtin"
            paths += sorted(builtin.glob("*.mod"))
            builtin_paths = set(paths)
        named_dirs, named_files = [], []
        for folder in folders:
            folder = Path(folder)
            if folder.is_file():
                paths.append(folder)
                named_files.append(folder)
            elif folder.is_dir():
                paths += sorted(folder.glob("*.mod"))
                named_dirs.append(folder)
            else:
                raise BridgeError(f"mechanism folder {folder} does not exist")
        self.roots = ReadRoots.of(named_dirs + [f.parent for f in named_files], named_files, allow_read, limits)
        for path in paths:
            try:
                # bridge's own library is not the model's input: the model's Limits do not apply to it
                text = path.read_text() if path in builtin_paths else self.roots.read_text(path, "NMODL")
            except BridgeError as err:
                raise BridgeError(f"mechanism file {path}: {err.message}") from None
            if is_vecevent(text):  # NEURON's vecevent.mod: bridge's own VecStim stays (bridge.nmodl.vecevent)
                warnings.warn(f"{path}: NEURON's vecevent.mod (VecStim) recognised; bridge runs its own VecStim "
                              "(bridge/mechanisms/builtin/vecstim.mod, the same behaviour)", stacklevel=2)
                continue
            text = _COMMENT_RE.sub("", text)
            m = _NAME_RE.search(text)
            if m and m.group(2) == mod_library.LIBRARY_SUFFIX:
                self._libraries[mod_library.library_key(path)] = (path, text, mod_library.callable_names(text))
                continue
            # a model's file replaces a built-in one of the same name; without SUFFIX, NEURON
            # names the mechanism after the file
            self._files[m.group(2) if m else path.stem] = path
        self._library_functions = mod_library.index_callables(
            {key: (path, names) for key, (path, _, names) in self._libraries.items()})
        # a library read without its C (bridge.hoc.verbatim_library): key -> what is refused when called
        self._library_c: dict[str, verbatim_library.Reduced] = {}

    def files_parsed(self) -> dict[str, Path]:
        """The .mod files of the mechanisms (and `SUFFIX nothing` libraries) parsed so far and accepted (`get`),
        by name; ions left out."""
        return {name: self.file_of(name) for name in self._info if name in self._files or name in self._libraries}

    def file_of(self, name: str) -> Path:
        """The .mod file of mechanism or library `name`."""
        return self._libraries[name][0] if name in self._libraries else self._files[name]

    def names(self) -> list[str]:
        return list(self._files) + list(self._runtime)

    def has_randoms(self) -> bool:
        """Whether a mechanism read so far has RANDOM variables (bridge.hoc.randomvars)."""
        return any(info.randoms for info in self._info.values())

    def scop_random(self, name: str) -> bool:
        """Whether mechanism `name` (already read) draws from scop_random."""
        info = self._info.get(name)
        return bool(info is not None and info.scop_random)

    def __contains__(self, name: str) -> bool:
        return name in self._files or name in self._runtime or name.endswith("_ion")

    def add_runtime(self, name: str, provider) -> None:
        """A mechanism defined by the running HOC (a KSChan): `provider.info()` says what HOC sees of it,
        `provider.mechanism()` is the solver's mechanism. A name already in use is an error."""
        if name in self._files or name in self._runtime or name.endswith("_ion"):
            raise HocError(f"{name} already exists (a mechanism of that name is defined)")
        self._runtime[name] = provider
        self.__dict__.pop("_global_cache", None)

    def remove_runtime(self, name: str) -> None:
        self._runtime.pop(name, None)
        self.__dict__.pop("_global_cache", None)

    def runtime_keys(self) -> list:
        """What the runtime-defined mechanisms are made of now (KSChan.spec_key): a change is a new model."""
        return [(name, p.spec_key()) for name, p in self._runtime.items()]

    def runtime_mechanisms(self, used) -> dict:
        """The solver's mechanisms of the runtime-defined mechanisms among `used`, in creation order
        (NEURON registers them after every compiled mechanism)."""
        return {name: p.mechanism() for name, p in self._runtime.items() if name in used}

    def get(self, name: str) -> MechanismInfo:
        """The mechanism `name`; parses its .mod file the first time."""
        if name in self._runtime:
            return self._runtime[name].info()
        if name in self._info:
            return self._info[name]
        if name.endswith("_ion"):
            info = ion_info(name[:-4])
        elif name == extracellular.NAME:  # NEURON's built-in (bridge.hoc.extracellular)
            info = MechanismInfo(name, "density", None, dict(extracellular.PARAMETERS), extracellular.RANGE_NAMES,
                                 recomputed=extracellular.COMPUTED)
        elif name in self._files:
            info = _read_mod(name, self._files[name], self.roots)
        elif name in self._libraries:
            info = self._read_library(name)
        else:
            raise HocError(f"{name} is not a mechanism (no .mod file defines it)")
        self._info[name] = info
        return info

    def _read_library(self, key: str) -> MechanismInfo:
        """A `SUFFIX nothing` library; one with VERBATIM C without its C (bridge.hoc.verbatim_library)."""
        path = self._libraries[key][0]
        try:
            info = _read_mod(mod_library.LIBRARY_SUFFIX, path, self.roots)
        except HocError as whole:
            reduced = _read_reduced(path, self.roots)
            if reduced is None:
                raise whole from None
            self._library_c[key], info = reduced
        return dataclasses.replace(info, name=key, kind="library")

    def library_without_c(self, key: str) -> syntax_ast.Program | None:
        """The program HOC's calls translate for library `key` when it was read without its C; else None."""
        reduced = self._library_c.get(key)
        return reduced.program if reduced is not None else None

    def vector_method_in_c(self, name: str) -> str | None:
        """Why `vec.name()` is refused when a `SUFFIX nothing` library's C installs Vector method `name`
        (`install_vector_method`, bridge.hoc.verbatim_library); None when none does."""
        for key, (path, text, _) in self._libraries.items():
            if "install_vector_method" not in text or name not in verbatim_library.installed_methods(text):
                continue
            try:
                self.get(key)
            except HocError:
                pass
            where = self._library_c[key].vector_methods.get(name, str(path)) if key in self._library_c else path
            return (f"Vector.{name}() is installed from C by the `SUFFIX nothing` library {path} "
                    f"(install_vector_method in VERBATIM at {where}); bridge cannot run C")
        for mech, path in self._files.items():  # a mechanism's C may install Vector methods too (stats.mod)
            try:
                text = self.roots.read_text(path, "NMODL")
            except BridgeError:
                continue
            if name in verbatim_library.installed_methods(text):
                return (f"Vector.{name}() is installed from C by mechanism {mech} ({path}: install_vector_method "
                        "in VERBATIM); bridge cannot run C")
        return None

    def lookup_variable(self, hoc_name: str) -> tuple[str, str] | None:
        """`gnabar_hh` → ("hh", "gnabar"); `ena` → ("na_ion", "ena"); None when unknown.

        Only the mechanism whose suffix ends the name is parsed."""
        for suffix in self.names():
            if hoc_name.endswith("_" + suffix) and len(hoc_name) > len(suffix) + 1:
                info = self.get(suffix)
                var = hoc_name[: -len(suffix) - 1]
                if info.kind == "density" and var in info.range_names:
                    return suffix, var
        candidates = ion_candidates(hoc_name)
        for ion in candidates:
            if ion in self.ions():
                return f"{ion}_ion", hoc_name
        if candidates and self._read_every_file():
            ions = self.ions()
            return next(((f"{ion}_ion", hoc_name) for ion in candidates if ion in ions), None)
        return None

    def _read_every_file(self) -> bool:
        """Read every mechanism file not read yet, once (True the first time): NEURON registers every compiled
        mechanism, and so every ion of a USEION, before any HOC runs (`ekir` is a range variable in a template
        compiled before `insert` names the mechanism that uses ion kir). A file bridge refuses is skipped here;
        it is refused where the HOC uses it."""
        if self.__dict__.get("_all_read"):
            return False
        self._all_read = True
        for name in self._files:
            if name not in self._info:
                try:
                    self.get(name)
                except HocError:
                    pass
        return True

    def lookup_global(self, hoc_name: str) -> tuple[str, float] | None:
        """`vhalf_kdr`, `nai0_na_ion`: (mechanism, default) of a GLOBAL, or None."""
        cache = self.__dict__.setdefault("_global_cache", {})
        if hoc_name not in cache:
            cache[hoc_name] = self._lookup_global(hoc_name)
        return cache[hoc_name]

    def _lookup_global(self, hoc_name: str) -> tuple[str, float] | None:
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)([io])0_\1_ion", hoc_name)
        if m and (m.group(1) in self.ions() or (self._read_every_file() and m.group(1) in self.ions())):
            return f"{m.group(1)}_ion", ion_info(m.group(1)).globals[hoc_name]
        for suffix in self.names():
            if hoc_name.endswith("_" + suffix):
                info = self.get(suffix)
                var = hoc_name[: -len(suffix) - 1]
                if var in info.globals:
                    return suffix, info.globals[var]
                if var == "usetable" and hoc_name in info.globals:  # a TABLE's switch is usetable_<suffix>
                    return suffix, info.globals[hoc_name]
        for key, info in self._libraries_mentioning(hoc_name):  # a library's GLOBAL is a bare HOC name
            if hoc_name in info.globals:
                return key, info.globals[hoc_name]
        return None

    def _libraries_mentioning(self, hoc_name: str):
        """(key, info) of the `SUFFIX nothing` libraries whose text names `hoc_name` and that translate. A
        library bridge cannot translate is skipped: its FUNCTIONs are refused when called (lookup_function),
        and only they read its GLOBALs, so the name is left to HOC as an ordinary variable."""
        for key, (_, text, _) in self._libraries.items():
            if not mod_library.mentions(text, hoc_name):
                continue
            try:
                info = self.get(key)
            except HocError:
                continue
            yield key, info

    def library_assigned_global(self, hoc_name: str) -> str | None:
        """The key of the `SUFFIX nothing` library whose GLOBAL ASSIGNED is `hoc_name` (`RES`), or None."""
        for key, info in self._libraries_mentioning(hoc_name):
            if info.calls is not None and hoc_name in info.calls.assigned_globals:
                return key
        return None

    def library_global(self, hoc_name: str) -> bool:
        """Whether `hoc_name` is a GLOBAL of a `SUFFIX nothing` library (only its FUNCTIONs read it)."""
        if not self._libraries:
            return False
        found = self.lookup_global(hoc_name)
        return found is not None and mod_library.is_library_key(found[0])

    def lookup_function(self, hoc_name: str) -> tuple[str, str] | None:
        """`rates_hh` → ("hh", "rates"): a FUNCTION or PROCEDURE of a mechanism, or None; `sq` →
        ("nothing[lib.mod]", "sq") for a `SUFFIX nothing` library's (bridge.hoc.mod_library)."""
        key = self._library_functions.get(hoc_name)
        if key is not None:
            try:
                info = self.get(key)
            except HocError as err:  # name the FUNCTION/PROCEDURE the HOC called, then why its file is refused
                raise HocError(f"{hoc_name}() is a FUNCTION/PROCEDURE of the `SUFFIX nothing` library "
                               f"{self._libraries[key][0]}, which bridge cannot translate: {err.message}") from None
            reduced = self._library_c.get(key)
            if reduced is not None and hoc_name in reduced.needs_c:
                raise HocError(f"{hoc_name}() is a FUNCTION/PROCEDURE of the `SUFFIX nothing` library "
                               f"{self._libraries[key][0]}, which bridge cannot run: {reduced.needs_c[hoc_name]}")
            if hoc_name in info.functions:
                return key, hoc_name
        for suffix in self._files:
            if hoc_name.endswith("_" + suffix):
                info = self.get(suffix)
                fname = hoc_name[: -len(suffix) - 1]
                if fname in info.functions:
                    return suffix, fname
        return None

    def all_ions(self) -> set[str]:
        """Every ion NEURON registers for the model: of NEURON (na, k, ca) and of every mechanism file."""
        self._read_every_file()
        return self.ions()

    def ions(self) -> set[str]:
        """Ions of NEURON (na, k, ca) and of every parsed mechanism."""
        found = {"na", "k", "ca"}
        for info in [*self._info.values(), *(p.info() for p in self._runtime.values())]:
            found.update(i[0] for i in info.ions)
        return found


def _read_mod(name: str, path: Path, roots: ReadRoots) -> MechanismInfo:
    """What HOC sees of the mechanism in `path`, from the translator's analysis (`bridge.nmodl.analysis`):
    the file is refused here exactly when the translator refuses it."""
    try:
        program = expand_includes(parse_mod_file(path, roots), str(path), roots=roots)
        info = analyze(program, unnamed=name)
    except BridgeError as err:
        raise HocError(f"mechanism {name} ({path}) cannot be used:\n{err}") from None
    return _hoc_info(name, path, info)


def _read_reduced(path: Path, roots: ReadRoots) -> tuple[verbatim_library.Reduced, MechanismInfo] | None:
    """A `SUFFIX nothing` library without its C, or None (bridge.hoc.verbatim_library)."""
    try:
        program = expand_includes(parse_mod_file(path, roots), str(path), roots=roots)
    except BridgeError:
        return None
    found = verbatim_library.reduce_library(program, path, roots,
                                            lambda p: analyze(p, unnamed=mod_library.LIBRARY_SUFFIX))
    if found is None:
        return None
    reduced, info = found
    return reduced, _hoc_info(mod_library.LIBRARY_SUFFIX, path, info)  # type: ignore[arg-type]


def _hoc_info(name: str, path: Path, info: TranslatorInfo) -> MechanismInfo:
    """What HOC sees of an analysed mechanism."""
    calls = hoc_calls(info)
    # RANGE ASSIGNEDs INITIAL surely assigns before reading (hh's minf via rates()): finitialize() overwrites
    # what HOC sets there, so HOC's value is only kept for HOC to read back, as a STATE's
    initialized = tuple(d.name for d in info.program.assigned
                        if d.name in info.range_names and d.name in calls.initial_sets)
    return MechanismInfo(name, info.kind, path, info.range_parameters, _range_names(info), info.global_parameters,
                         tuple((u.ion, u.read, u.write, u.valence) for u in info.ions),
                         tuple(n for n in (*info.functions, *info.procedures) if n not in info.c_functions),
                         tuple(d.name for d in info.program.states) + info.nonspecific_currents
                         + info.electrode_currents + initialized, info.program.net_receive is not None,
                         info.pointers, info.externals, {n: len(b.params) for n, b in info.function_tables.items()},
                         calls, info.randoms, info.scop_random,
                         len(info.program.net_receive.params) if info.program.net_receive else 0,
                         _net_receive_writes(info.program.net_receive),
                         info.assigned_parameters + info.assigned_global_parameters,
                         info.scop_random and scop_in_step(info.program),
                         info.scop_random and scop_in_initial(info.program),
                         _unwritten_assigned(info),
                         {n: int(v.size) for n, v in info.variables.items() if v.size and n in info.range_names},
                         runge_solves(info), tuple(d.name for d in info.program.states))


def _unwritten_assigned(info: TranslatorInfo) -> tuple[str, ...]:
    """RANGE ASSIGNEDs that no statement assigns (`is` of xtra.mod: a LOCAL of the same name counts as an
    assignment, which only refuses more), nor a SOLVE, an ion or a current."""
    return tuple(d.name for d in info.program.assigned
                 if d.name in info.range_names and d.name not in info.assigned_names
                 and info.variables.get(d.name) is not None and info.variables[d.name].kind == "assigned"
                 and d.name not in info.nonspecific_currents + info.electrode_currents)


def _net_receive_writes(block) -> bool:
    """Whether NET_RECEIVE's code outside its INITIAL assigns one of its arguments (a NetCon's weight_ array,
    which NEURON keeps changed: HOC reads it, the next run starts from it)."""
    if block is None:
        return False
    names = {p.name for p in block.params}
    for stmt in block.body:
        if isinstance(stmt, syntax_ast.InitialStatement):
            continue
        for node in syntax_ast.walk(stmt):
            if isinstance(node, syntax_ast.Assign) and getattr(node.target, "name", None) in names:
                return True
    return False


def _range_names(info: TranslatorInfo) -> tuple[str, ...]:
    """Every name HOC reads per instance: RANGE PARAMETERs, RANGE ASSIGNEDs and nonspecific currents,
    and STATEs (a name also listed in GLOBAL is the global's, as in NEURON)."""
    program = info.program
    assigned = [d.name for d in program.assigned if d.name in info.range_names or d.name in info.nonspecific_currents]
    return tuple(dict.fromkeys(list(info.range_parameters) + assigned + [d.name for d in program.states]))


__all__ = ["Catalog", "MechanismInfo", "ion_info"]
