"""The HOC pieces NEURON's LinearCircuit library (lib/hoc/lincir) needs, against NEURON 9.0.2: Vector integral,
rotate, index, remove, indwhere, copy's and c's ranges, Pointer, StringFunctions.alias, a model's own
float_epsilon, Matrix.svd's singular values, execute1's quiet flag and Glyph's chained drawing methods. The same HOC
file of ours runs in both and prints its Vectors to 17 digits; the values must be equal (the singular values to
1e-14 relative: LAPACK and NEURON's own SVD agree to round-off, not to the bit)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bridge import HocSession

sys.path.insert(0, str(Path(__file__).resolve().parent))
from printed_vectors import PRINT_PROC, printed_vectors  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
NAMES = ["integral", "integral_dx", "rotate_fill", "rotate_left_fill", "rotate_wrap", "rotate_wrap_left", "remove1",
         "remove_range", "index", "indwhere", "copy_src_range", "copy_dest_start", "copy_dest_src_range", "c_range",
         "c_from", "pointer", "alias", "float_epsilon", "svd", "svd_singular", "execute1", "glyph"]


@pytest.mark.neuron
def test_lincir_parts_match_neuron(tmp_path):
    driver = tmp_path / "driver.hoc"
    driver.write_text(PRINT_PROC + f'load_file("{DATA / "lincir_parts.hoc"}")\n')
    code = f"from neuron import h\nh.load_file({str(driver)!r})\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    theirs = printed_vectors(proc.stdout, NAMES)
    assert set(theirs) == set(NAMES), proc.stdout[-2000:] + proc.stderr[-2000:]
    out = io.StringIO()
    HocSession(cwd=tmp_path, stdout=out, allow_read=[DATA]).load_file(driver)
    ours = printed_vectors(out.getvalue(), NAMES)
    for name in NAMES:
        assert len(ours[name]) == len(theirs[name]), name
        if name.startswith("svd"):
            np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-14, atol=1e-14, err_msg=name)
        else:
            np.testing.assert_array_equal(ours[name], theirs[name], err_msg=name)
    assert list(theirs["float_epsilon"]) == [0, 1, 1, 0]  # the model's own float_epsilon changed the comparisons
