"""Model-directed reads stay inside the read roots (bridge.readroots).

A model folder is untrusted: every way a HOC or NMODL file can name a file (load_file, xopen,
ropen, File.ropen, Import3d input, NMODL INCLUDE; names built with sprint or execute, inside
templates, after chdir; absolute paths, `..`, symlinks out, `$(UNSET)../x`) must stay inside the
model folder, the mechanism folders and what the user names with allow_read. A file outside is
never opened, so its content (a secret marker here) never appears in an error.
"""

from __future__ import annotations

import os
import threading

import pytest

import bridge
from bridge import HocSession
from bridge.errors import BridgeError
from bridge.limits import Limits
from bridge.nmodl.load import load_mechanisms, load_mod

SECRET = "SECRET_MARKER_7f3a"
UNSET = "BRIDGE_TEST_UNSET_VARIABLE_7f3a"

# (top-level declarations, the statement that reads the file named by {expr}, the file it reads)
CALLS = {
    "load_file": ("", "load_file({expr})", "secret.hoc"),
    "xopen": ("", "xopen({expr})", "secret.hoc"),
    "ropen": ("", "ropen({expr})", "secret.dat"),
    "File.ropen": ("objref f", "f = new File()\nf.ropen({expr})", "secret.dat"),
    "File(name).ropen": ("objref f", "f = new File({expr})\nf.ropen()", "secret.dat"),
    "Import3d_SWC_read.input": ("objref r", "r = new Import3d_SWC_read()\nr.input({expr})", "secret.swc"),
}


def _name_forms(outside, file):
    """(declaration, HOC run before the call, the name expression, the same after chdir("sub")) per form."""
    return {
        "absolute": ("", "", f'"{outside / file}"', f'"{outside / file}"'),
        "dotdot": ("", "", f'"../outside/{file}"', f'"../../outside/{file}"'),
        "symlink": ("", "", f'"link_{file}"', f'"../link_{file}"'),
        "symlinked folder": ("", "", f'"linkdir/{file}"', f'"../linkdir/{file}"'),
        "unset variable": ("", "", f'"$({UNSET})../outside/{file}"', f'"$({UNSET})../../outside/{file}"'),
        "sprint": ("strdef s", 'sprint(s, "%s/%s", "..", "outside/' + file + '")', "s", None),
    }


@pytest.fixture
def tree(tmp_path):
    """tmp/model (the model folder, with a subfolder and links out) and tmp/outside (secrets)."""
    model, outside = tmp_path / "model", tmp_path / "outside"
    model.mkdir()
    outside.mkdir()
    (model / "sub").mkdir()
    for name in ("secret.hoc", "secret.dat", "secret.swc", "secret.inc", "secret.mod"):
        (outside / name).write_text(f"{SECRET} line one\n{SECRET} line two\n")
        (model / f"link_{name}").symlink_to(outside / name)
    (model / "linkdir").symlink_to(outside)
    return model, outside


def _program(call: str, form: str, wrapper: str, outside) -> str:
    decl, stmt, file = CALLS[call]
    name_decl, prelude, expr, expr_after_chdir = _name_forms(outside, file)[form]
    if wrapper == "after chdir":
        prelude += '\nchdir("sub")'
        expr = expr_after_chdir
    lines = [line for line in (prelude + "\n" + stmt.format(expr=expr)).splitlines() if line]
    if wrapper == "execute":
        lines = ['execute("' + line.replace('"', '\\"') + '")' for line in lines]
    body = "\n".join(lines)
    if wrapper == "template":
        return (f"begintemplate T\n{decl}\n{name_decl}\nproc init() {{\n{body}\n}}\nendtemplate T\n"
                "objref tobj\ntobj = new T()\n")
    return f"{decl}\n{name_decl}\n{body}\n"


def _cases():
    for call in CALLS:
        for form in ("absolute", "dotdot", "symlink", "symlinked folder", "unset variable", "sprint"):
            for wrapper in ("plain", "execute", "template", "after chdir"):
                if wrapper == "after chdir" and form == "sprint":
                    continue
                yield call, form, wrapper


@pytest.mark.parametrize("call, form, wrapper", list(_cases()))
def test_a_read_outside_the_model_folder_is_refused_without_quoting_it(tree, call, form, wrapper):
    model, outside = tree
    (model / "init.hoc").write_text(_program(call, form, wrapper, outside))
    hoc = HocSession(cwd=model)
    with pytest.raises(BridgeError) as err:
        hoc.load_file(model / "init.hoc")
    text = str(err.value)
    assert SECRET not in text
    assert f"{model / 'init.hoc'}:" in text  # the model's file:line
    assert "allow_read" in text and "--allow-read" in text  # and the option that admits it


@pytest.mark.parametrize("call", list(CALLS))
def test_a_missing_file_outside_is_refused_like_an_existing_one(tree, call):
    """No existence oracle: a name outside the roots is refused whether or not the file is there, with the
    same message, so a model cannot learn which paths outside its folder exist (NEURON itself would just
    fail to open a missing one)."""
    model, outside = tree
    decl, stmt, file = CALLS[call]
    messages = []
    for name in (file, "missing_" + file):
        (model / "init.hoc").write_text(f'{decl}\n{stmt.format(expr=chr(34) + str(outside / name) + chr(34))}\n')
        with pytest.raises(BridgeError, match="outside the folders this model may read") as err:
            HocSession(cwd=model).load_file(model / "init.hoc")
        messages.append(str(err.value).replace("missing_", ""))
    assert messages[0] == messages[1]


def test_a_missing_include_outside_is_refused_like_an_existing_one(tree):
    model, outside = tree
    mod = model / "mod"
    mod.mkdir()
    messages = []
    for name in ("secret.inc", "missing_secret.inc"):
        (mod / "m.mod").write_text(f'NEURON {{ SUFFIX m }}\nINCLUDE "{outside / name}"\n')
        with pytest.raises(BridgeError, match="outside the folders") as err:
            load_mod(mod / "m.mod")
        messages.append(str(err.value).replace("missing_", ""))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("call", list(CALLS))
def test_allow_read_admits_a_folder_outside(tree, call):
    model, outside = tree
    common = outside.parent / "common"
    common.mkdir()
    (common / "secret.hoc").write_text("common_x = 42\n")
    (common / "secret.dat").write_text("1.5 2.5\n")
    (common / "secret.swc").write_text("1 1 0 0 0 5 -1\n2 3 0 5 0 1 1\n3 3 0 20 0 1 2\n")
    decl, stmt, file = CALLS[call]
    (model / "init.hoc").write_text(f'{decl}\n{stmt.format(expr=chr(34) + "../common/" + file + chr(34))}\n')
    with pytest.raises(BridgeError, match="allow_read"):
        HocSession(cwd=model).load_file(model / "init.hoc")
    hoc = HocSession(cwd=model, allow_read=[common])
    hoc.load_file(model / "init.hoc")
    if call in ("load_file", "xopen"):
        assert hoc.common_x == 42.0
    elif call == "ropen":
        hoc("x1 = fscan()")
        assert hoc.x1 == 1.5
    elif call.startswith("File"):
        hoc("x1 = f.scanvar()")
        assert hoc.x1 == 1.5


def test_load_hoc_names_the_option_for_a_shared_folder(tree):
    model, outside = tree
    (outside / "lib.hoc").write_text("create soma\nsoma { L = 20 diam = 20 }\n")
    (model / "init.hoc").write_text('load_file("../outside/lib.hoc")\n')
    with pytest.raises(BridgeError) as err:
        bridge.load_hoc(model / "init.hoc")
    assert "load_hoc(..., allow_read=[...])" in str(err.value) and str(outside) in str(err.value)
    assert f"{model / 'init.hoc'}:1:1" in str(err.value)
    assert len(bridge.load_hoc(model / "init.hoc", allow_read=[outside]).tree) == 1


def test_load_proc_and_load_template_read_nothing(tree):
    model, outside = tree
    for stmt in (f'load_proc("{outside / "secret.hoc"}")', 'load_template("../outside/secret.hoc")',
                 'objref r\nr = new Import3d_Neurolucida3()\nr.input("../outside/secret.hoc")'):
        (model / "init.hoc").write_text(stmt + "\n")
        with pytest.raises(BridgeError) as err:
            HocSession(cwd=model).load_file(model / "init.hoc")
        assert SECRET not in str(err.value)


def test_chdir_cannot_leave_the_roots_through_a_link(tree):
    model, _ = tree
    (model / "init.hoc").write_text('chdir("linkdir")\n')
    with pytest.raises(BridgeError, match="leaves the model folder"):
        HocSession(cwd=model).load_file(model / "init.hoc")


def test_proc_self_environ_is_refused_and_the_environment_never_shown(tree, monkeypatch):
    model, _ = tree
    monkeypatch.setenv("BRIDGE_TEST_SECRET_ENV", SECRET)
    for stmt in ('load_file("/proc/self/environ")', 'xopen("/proc/self/environ")', 'ropen("/proc/self/environ")',
                 'load_file("$(BRIDGE_TEST_SECRET_ENV)")', 'xopen("$(BRIDGE_TEST_SECRET_ENV)/x.hoc")'):
        (model / "init.hoc").write_text(stmt + "\n")
        with pytest.raises(BridgeError) as err:
            HocSession(cwd=model).load_file(model / "init.hoc")
        assert SECRET not in str(err.value), stmt


def _finishes(fn, seconds: float = 20.0):
    """Run `fn` in a thread; the exception it raised, after asserting it finished within `seconds`."""
    box = {}

    def run():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "reading hung"
    return box.get("error")


@pytest.mark.parametrize("name", ["fifo.hoc", "fifo.dat", "fifo.swc"])
def test_a_fifo_in_the_model_folder_is_refused_not_waited_on(tree, name):
    model, _ = tree
    os.mkfifo(model / name)
    call = {"hoc": f'load_file("{name}")', "dat": f'ropen("{name}")',
            "swc": f'objref r\nr = new Import3d_SWC_read()\nr.input("{name}")'}[name.split(".")[1]]
    (model / "init.hoc").write_text(call + "\n")
    error = _finishes(lambda: HocSession(cwd=model).load_file(model / "init.hoc"))
    assert isinstance(error, BridgeError) and "not a regular file" in str(error)


def test_a_device_is_not_read_even_when_admitted(tree):
    model, _ = tree
    (model / "zero.hoc").symlink_to("/dev/zero")
    (model / "init.hoc").write_text('load_file("zero.hoc")\n')
    error = _finishes(lambda: HocSession(cwd=model).load_file(model / "init.hoc"))
    assert isinstance(error, BridgeError) and "outside the folders" in str(error)
    error = _finishes(lambda: HocSession(cwd=model, allow_read=["/dev"]).load_file(model / "init.hoc"))
    assert isinstance(error, BridgeError) and "not a regular file" in str(error)


def test_a_file_over_max_file_size_is_refused(tree):
    model, _ = tree
    (model / "big.hoc").write_text("x = 1\n" * 200)
    (model / "init.hoc").write_text('load_file("big.hoc")\n')
    with pytest.raises(BridgeError, match=r"max_file_size = 1000 bytes.*Limits\(max_file_size=\.\.\.\)"):
        HocSession(cwd=model, limits=Limits(max_file_size=1000)).load_file(model / "init.hoc")
    HocSession(cwd=model).load_file(model / "init.hoc")


def test_neuron_library_names_still_work(tree):
    model, _ = tree
    (model / "init.hoc").write_text('load_file("stdrun.hoc")\nload_file("$(NEURONHOME)/lib/hoc/nrngui.hoc")\n'
                                    'load_file("subiter.hoc")\nload_file("/usr/share/nrn/lib/hoc/mview.hoc")\n')
    with pytest.warns(UserWarning, match="mview"):
        HocSession(cwd=model).load_file(model / "init.hoc")


# -- NMODL INCLUDE ----------------------------------------------------------------------------------

MOD = 'NEURON {{ SUFFIX inc NONSPECIFIC_CURRENT i RANGE g }}\nINCLUDE "{name}"\nASSIGNED {{ v i }}\n' \
      "BREAKPOINT {{ i = g*(v + 65) }}\n"


@pytest.mark.parametrize("form", ["absolute", "dotdot", "symlink", "symlinked folder"])
def test_an_include_outside_the_mechanism_folder_is_refused(tree, form):
    model, outside = tree
    name = {"absolute": str(outside / "secret.inc"), "dotdot": "../outside/secret.inc",
            "symlink": "link_secret.inc", "symlinked folder": "linkdir/secret.inc"}[form]
    (model / "inc.mod").write_text(MOD.format(name=name))
    with pytest.raises(BridgeError) as err:
        load_mod(model / "inc.mod")
    assert SECRET not in str(err.value)
    assert f"{model / 'inc.mod'}:2:1" in str(err.value) and "allow_read" in str(err.value)
    # the same file used by a HOC model, through its mechanism folder
    (model / "mod").mkdir()
    (model / "mod" / "inc.mod").write_text(MOD.format(name="../" + name if not os.path.isabs(name) else name))
    (model / "init.hoc").write_text("create soma\nsoma insert inc\n")
    with pytest.raises(BridgeError) as err:
        HocSession(model / "mod", cwd=model).load_file(model / "init.hoc")
    assert SECRET not in str(err.value)
    assert "inc.mod:2:1" in str(err.value) and "allow_read" in str(err.value)


def test_allow_read_admits_an_include_folder(tree):
    model, outside = tree
    (outside / "g.inc").write_text("PARAMETER { g = 0.25 }\n")
    (model / "inc.mod").write_text(MOD.format(name="../outside/g.inc"))
    with pytest.raises(BridgeError, match="allow_read"):
        load_mod(model / "inc.mod")
    assert load_mod(model / "inc.mod", allow_read=[outside]).range_parameters["g"] == 0.25
    (model / "mod").mkdir()
    (model / "mod" / "inc.mod").write_text(MOD.format(name="../../outside/g.inc"))
    (model / "init.hoc").write_text("create soma\nsoma insert inc\ngx = soma.g_inc(0.5)\n")
    with pytest.raises(BridgeError, match="allow_read"):
        HocSession(model / "mod", cwd=model).load_file(model / "init.hoc")
    session = HocSession(model / "mod", cwd=model, allow_read=[outside])
    session.load_file(model / "init.hoc")
    assert session.gx == 0.25


def test_mod_files_linked_out_of_a_mechanism_folder_are_refused(tree):
    model, _ = tree
    mod = model / "mod"
    mod.mkdir()
    (mod / "evil.mod").symlink_to(model.parent / "outside" / "secret.mod")
    for load in (lambda: load_mechanisms(mod), lambda: HocSession(mod, cwd=model)):
        with pytest.raises(BridgeError) as err:
            load()
        assert SECRET not in str(err.value) and "outside the folders" in str(err.value)


def test_equal_mod_files_that_include_different_files_get_different_translations(tmp_path):
    for folder, g in (("a", 1.0), ("b", 2.0)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "g.inc").write_text(f"PARAMETER {{ g = {g} }}\n")
        (tmp_path / folder / "inc.mod").write_text(MOD.format(name="g.inc"))
    a, b = load_mod(tmp_path / "a" / "inc.mod"), load_mod(tmp_path / "b" / "inc.mod")
    assert (a.range_parameters["g"], b.range_parameters["g"]) == (1.0, 2.0)
    assert load_mod(tmp_path / "a" / "inc.mod") is a  # still cached


@pytest.mark.parametrize("call", list(CALLS))
def test_execute1_does_not_swallow_a_refused_read(tree, call):
    model, outside = tree
    decl, stmt, file = CALLS[call]
    lines = stmt.format(expr=f'"../outside/{file}"').splitlines()
    (model / "init.hoc").write_text(decl + "\n" + "\n".join('execute1("' + line.replace('"', '\\"') + '")'
                                                            for line in lines) + "\n")
    with pytest.raises(BridgeError) as err:
        HocSession(cwd=model).load_file(model / "init.hoc")
    assert SECRET not in str(err.value) and "allow_read" in str(err.value)


def _include_model(tmp_path):
    """A model whose mechanism INCLUDEs a file from a folder outside the model folder."""
    model, common = tmp_path / "model", tmp_path / "common"
    (model / "mod").mkdir(parents=True)
    common.mkdir()
    (common / "leakpar.inc").write_text("PARAMETER { g = 0.0002 (S/cm2) e = -70 (mV) }\n")
    (model / "mod" / "lk.mod").write_text(
        'NEURON { SUFFIX lk NONSPECIFIC_CURRENT i RANGE g, e }\nINCLUDE "../../common/leakpar.inc"\n'
        "ASSIGNED { v (mV) i (mA/cm2) }\nBREAKPOINT { i = g*(v - e) }\n")
    (model / "init.hoc").write_text("create soma\nsoma { L = 10 diam = 10 insert lk }\ntstop = 1\n")
    return model, common


def test_a_hoc_model_translates_its_mechanisms_with_the_session_s_allow_read(tmp_path):
    model, common = _include_model(tmp_path)
    with pytest.raises(BridgeError, match="allow_read"):
        bridge.load_hoc(model / "init.hoc", mechanisms=model / "mod").to_model()
    hoc = bridge.load_hoc(model / "init.hoc", mechanisms=model / "mod", allow_read=[common])
    assert hoc.to_model().mechanisms["lk"].range_parameters["g"] == 0.0002


def test_a_hoc_model_simulates_within_the_session_s_limits(tmp_path):
    model, common = _include_model(tmp_path)
    hoc = bridge.load_hoc(model / "init.hoc", mechanisms=model / "mod", allow_read=[common],
                          limits=bridge.Limits(max_steps=10))
    with pytest.raises(BridgeError, match="max_steps"):
        hoc.simulate()
