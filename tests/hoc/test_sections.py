"""bridge.hoc.model_state and geometry: sections, connections, range variables, 3-D points, protocol."""

import io
import math
import warnings

import numpy as np
import pytest

import bridge
from bridge import HocSession
from bridge.errors import HocError


def session(text):
    hoc = HocSession(stdout=io.StringIO())
    hoc(text)
    return hoc


def test_create_connect_forms_and_child_order():
    hoc = session("create soma, dend[3]\nconnect dend[0](0), soma(1)\nsoma connect dend[1](0), 0.5\n"
                  "connect dend[2](1), dend[0](0.25)")
    t = hoc.tree
    assert [s.name for s in t] == ["soma", "dend[0]", "dend[1]", "dend[2]"]
    assert (t["dend[1]"].parent, t["dend[1]"].parent_x) == ("soma", 0.5)
    assert (t["dend[2]"].parent, t["dend[2]"].parent_x, t["dend[2]"].child_end) == ("dend[0]", 0.25, 1.0)
    assert [c.name for c in t.children("soma")] == ["dend[1]", "dend[0]"]  # last connected first


def test_range_variables_whole_section_point_and_taper():
    hoc = session("create a\na { nseg = 5 diam = 2 diam(0.5) = 7 insert pas g_pas = 1e-4 "
                  "e_pas(0:1) = -80:-60 cm(0.1) = 2 }")
    a = hoc.tree["a"]
    assert list(a.diam) == [2, 2, 7, 2, 2]
    assert list(a.cm) == [2, 1, 1, 1, 1]
    np.testing.assert_allclose(a.mechanisms["pas"]["e"], [-80 + 20 * (j + 0.5) / 5 for j in range(5)], rtol=1e-15)
    assert list(a.mechanisms["pas"]["g"]) == [1e-4] * 5


def test_nseg_change_resamples_by_segment_centres():
    hoc = session("create a\na { nseg = 2 diam(0.25) = 1 diam(0.75) = 3 nseg = 5 }")
    assert list(hoc.tree["a"].diam) == [1, 1, 3, 3, 3]  # centres 0.1, 0.3 | 0.5, 0.7, 0.9


def test_reading_values_uses_defaults_of_the_mod_file():
    hoc = session("create a\naccess a\ninsert hh\nx = gnabar_hh(0.5)\ny = a.el_hh\nL = 12\nz = L\nw = ena")
    assert (hoc.x, hoc.y, hoc.z, hoc.w) == (0.12, -54.3, 12.0, 50.0)


def test_mechanism_must_be_inserted():
    with pytest.raises(HocError, match="gnabar_hh: mechanism hh is not inserted in a"):
        session("create a\na gnabar_hh = 0.1")
    with pytest.raises(HocError, match="ena: no mechanism in a uses the na ion"):
        session("create a\na ena = 40")
    with pytest.raises(HocError, match="nohh is not a mechanism"):
        session("create a\na insert nohh")


def test_forall_forsec_ifsec_sectionlist_sectionref():
    hoc = session('create soma, dend[3], axon\nforall nseg = 3\nforsec "dend" insert pas\n'
                  'forsec "^dend[<1-2>]" nseg = 5\nforall ifsec "axon" L = 1000\n'
                  "objref sl, sr\nsl = new SectionList()\nsoma sl.append()\naxon sl.append()\n"
                  "forsec sl diam = 9\nconnect dend[0](0), soma(1)\ndend[0] sr = new SectionRef()\n"
                  "sr.parent { Ra = 50 }\nn = sr.nchild()\nhp = sr.has_parent()\nm = 0\nsoma m = ismembrane(\"pas\")\n"
                  "dend[0] k = ismembrane(\"pas\")")
    t = hoc.tree
    assert [t[f"dend[{i}]"].nseg for i in range(3)] == [3, 5, 5]
    assert t["axon"].L == 1000 and t["soma"].L == 100
    assert "pas" in t["dend[0]"].mechanisms and "pas" not in t["soma"].mechanisms
    assert t["soma"].diam[0] == 9 and t["axon"].diam[0] == 9 and t["dend[0]"].diam[0] == 500
    assert t["soma"].Ra == 50
    assert (hoc.n, hoc.hp, hoc.m, hoc.k) == (0.0, 1.0, 0.0, 1.0)


def test_for_x_iterates_segment_centres_and_ends():
    out = io.StringIO()
    hoc = HocSession(stdout=out)
    hoc("create a\na { nseg = 2 for (x) print x }\na for (x, 0) print x")
    assert out.getvalue().split() == ["0", "0.25", "0.75", "1", "0.25", "0.75"]


def test_pt3d_are_float32_and_define_length():
    hoc = session("create a\naccess a\npt3dadd(0, 0, 0, 1.1)\npt3dadd(0.1, 0, 0, 1.1)\npt3dadd(0.1, 3, 4, 2)\n"
                  "n = n3d()\nx1 = x3d(1)\nlen = L\narc = arc3d(2)")
    assert hoc.n == 3
    assert hoc.x1 == float(np.float32(0.1)) != 0.1
    assert hoc.len == pytest.approx(float(np.float32(0.1)) + 5.0, rel=1e-12)
    assert hoc.arc == hoc.len


def test_area_and_ri_of_a_cylinder():
    hoc = session("create a\naccess a\nL = 100\ndiam = 2\nnseg = 2\nRa = 100\nar = area(0.25)\nr = ri(0.75)")
    assert hoc.ar == pytest.approx(math.pi * 2 * 50, rel=1e-14)
    # ri(0.75): half segment + half segment, 1e-2 * Ra * dx / (pi d^2 / 4) [megohm]
    assert hoc.r == pytest.approx(1e-2 * 100 * 50 / (math.pi * 4 / 4), rel=1e-14)


def test_distance_along_the_tree():
    hoc = session("create a, b, c\nconnect b(0), a(1)\nconnect c(0), a(0.5)\nforall L = 10\n"
                  "a distance(0, 0)\nd1 = 0\nb d1 = distance(0.5)\nc d2 = distance(1)\nb distance(0, 1)\n"
                  "c d3 = distance(1)")
    assert (hoc.d1, hoc.d2, hoc.d3) == (15.0, 15.0, 25.0)


def test_point_processes_and_protocol():
    hoc = session("create soma\naccess soma\nobjref st, rec, tv\nst = new IClamp(0.3)\nst.amp = 0.5\nst.del = 2\n"
                  "rec = new Vector()\nrec.record(&soma.v(0.5))\ntv = new Vector()\ntv.record(&t)\n"
                  "tstop = 40\ncelsius = 22\nsteps_per_ms = 10\ndt = 0.025\nrun()\nd = st.dur\n")
    model = hoc.model()
    (pp,) = model.protocol.stimuli
    assert (pp.name, pp.section, pp.x, pp.params) == ("IClamp", "soma", 0.3, {"amp": 0.5, "del": 2.0})
    assert hoc.d == 0.0
    assert [(r.variable, r.section, r.x) for r in model.protocol.recordings] == [("v", "soma", 0.5), ("t", None, 0.5)]
    p = model.protocol
    assert (p.tstop, p.celsius, p.v_init) == (40.0, 22.0, -65.0)
    assert p.dt == 0.025  # 0.1 ms / 4 steps: setdt keeps it
    hoc("steps_per_ms = 7\nrun()")
    assert hoc.model().protocol.dt == pytest.approx((1 / 7) / 5)  # setdt: int((1/7)/0.025) = 5 steps


def test_user_init_is_called_by_run():
    hoc = session("create soma\nproc init() { finitialize(-70) }\nrun()")
    assert hoc.model().protocol.v_init == -70.0


def test_gui_calls_are_listed_in_one_warning():
    hoc = HocSession(stdout=io.StringIO())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hoc("objref g\ng = new Graph()\ng.size(0, 5, -80, 40)\nxpanel(\"x\")\nxbutton(\"run\", \"run()\")\nxpanel()")
    (w,) = [c for c in caught if "GUI" in str(c.message)]
    text = str(w.message)
    assert "Graph" in text and "Graph.size" in text and "xpanel" in text and "xbutton" in text


def test_load_file_relative_to_the_including_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "main.hoc").write_text('load_file("stdrun.hoc")\nload_file("sub/cell.hoc")\n'
                                       'load_file("sub/cell.hoc")\n')
    (tmp_path / "sub" / "cell.hoc").write_text('load_file("geom.hoc")\nncell += 1\n')
    (tmp_path / "sub" / "geom.hoc").write_text("create soma\nsoma L = 7\nncell = 0\n")
    model = bridge.load_hoc(tmp_path / "main.hoc")
    assert model.tree["soma"].L == 7


def test_missing_file_and_fscan(tmp_path):
    (tmp_path / "data.hoc").write_text("create a\na { nseg = fscan() L = fscan() }\nsome words 3 12.5\n")
    # NEURON's hoc_Load_file warns "Couldn't find" and load_file returns 0 (test_neuron_parity checks it)
    with pytest.warns(UserWarning, match="cannot find nothere.hoc"):
        model = bridge.load_hoc(tmp_path / "data.hoc", statements=['a.L = 10 + load_file("nothere.hoc")'])
    assert model.tree["a"].L == 10
    with pytest.raises(HocError, match="cannot find nothere.hoc"):  # xopen's is an error
        bridge.load_hoc(tmp_path / "data.hoc", statements=['xopen("nothere.hoc")'])
    # text after the statement is data for fscan, as in NEURON (words are skipped)
    (tmp_path / "data2.hoc").write_text("create a\na { nseg = fscan() L = fscan() }\nwords 3 12.5\nx = 1\n")
    model = bridge.load_hoc(tmp_path / "data2.hoc")
    assert (model.tree["a"].nseg, model.tree["a"].L) == (3, 12.5)


def test_section_index_out_of_range_and_deleted_section():
    with pytest.raises(HocError, match=r"dend\[3\] is outside the array \(size 3\)"):
        session("create dend[3]\ndend[3] L = 1")
    hoc = session("create a, b\nb delete_section()")
    assert [s.name for s in hoc.tree] == ["a"]


def test_unsupported_construct_is_named():
    with pytest.raises(HocError, match="setpointer: the first argument must be a POINTER of a point process or"):
        session("create a\nx = 1\nsetpointer x, a.v(0.5)")
    with pytest.raises(HocError, match="Import3d_MorphML is not supported yet"):
        session('load_file("import3d.hoc")\nobjref r\nr = new Import3d_MorphML()')


def test_session_file_settings_are_kept_and_gui_accepted(tmp_path):
    (tmp_path / "rig.ses").write_text(
        'objectvar save_window_, rvp_\nobjectvar scene_vector_[3]\nobjectvar ocbox_, ocbox_list_, scene_\n'
        '{\nxpanel("RunControl", 0)\nv_init = -70\nxvalue("Init","v_init", 1,"stdinit()", 1, 1 )\n'
        'tstop = 42\nsteps_per_ms = 20\ndt = 0.05\nxpanel(136,104)\n}\n'
        '{\nsave_window_ = new Graph(0)\nsave_window_.size(0,42,-80,40)\nscene_vector_[2] = save_window_\n'
        'graphList[0].append(save_window_)\nsave_window_.addexpr("v(.5)", 1, 1, 0.8, 0.9, 2)\n}\n'
        '{\nocbox_ = new VBox()\nocbox_list_ = ocbox_\nocbox_.intercept(1)\nmovierunpanel(0)\n'
        'ocbox_ = movierunbox\n{object_push(ocbox_)}\n{object_pop()}\nocbox_.map("Movie", 0, 0, 1, 1)\n}\n')
    (tmp_path / "init.hoc").write_text('load_file("nrngui.hoc")\ncreate soma\nload_file("rig.ses")\nrun()\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = bridge.load_hoc(tmp_path / "init.hoc")
    p = model.protocol
    assert (p.v_init, p.tstop, p.steps_per_ms, p.dt) == (-70.0, 42.0, 20.0, 0.05)
    text = " ".join(str(w.message) for w in caught)
    # movierunbox is stdrun.hoc's objref (bridge.hoc.stdrun_names), NULLobject here: ocbox_.map is the GUI call
    assert "movierunpanel" in text and "map (session file)" in text and "Graph" in text


def test_chdir_stays_inside_the_model_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "cell.hoc").write_text("create soma\nsoma L = 3\n")
    (tmp_path / "init.hoc").write_text('chdir("sub")\nload_file("cell.hoc")\nchdir("..")\n')
    assert bridge.load_hoc(tmp_path / "init.hoc").tree["soma"].L == 3


def test_model_that_steps_itself_records_its_run():
    hoc = session("create soma\ntstop = 1\nproc go() { finitialize(-60)\n while (t < tstop) { fadvance() } }")
    hoc("go()")
    (run,) = hoc.model().protocol.runs
    assert run.v_init == -60 and abs(run.tstop - 1.0) < 1e-9
