"""Tests of the plots, the documentation figures and the ``figures`` command.

Each written file is checked by its format's signature (PNG, PDF, SVG magic bytes) and by
reading it back with matplotlib; destinations that cannot be written are refused before any
computation, with one line naming the problem.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from meanfield_sym.cli import main
from meanfield_sym.verdicts import figures as F
from meanfield_sym.verdicts.sweeps import SweepSettings, width_sweep

TINY = dict(activation="relu", sigma_w2=2.0, sigma_b2=0.1, depth=3, widths=(20, 40),
            samples=4, classes=2, seeds=2)

#: the first bytes of each format
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF", ".svg": b"<?xml"}

#: a folder no one can create files in, also for the super-user
UNWRITABLE = "/proc"
needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")


def _run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def tiny_sweep():
    return width_sweep(SweepSettings(**TINY))


@pytest.mark.parametrize("suffix", sorted(MAGIC))
def test_plot_sweep_writes_the_format_of_the_suffix(tmp_path, tiny_sweep, suffix):
    path = tmp_path / f"sweep{suffix}"
    F.plot_sweep(tiny_sweep, str(path))
    assert path.read_bytes()[:len(MAGIC[suffix])] == MAGIC[suffix]


def test_plot_sweep_png_reads_back_as_an_image(tmp_path, tiny_sweep):
    import matplotlib.image as mpimg
    path = tmp_path / "sweep.png"
    F.plot_sweep(tiny_sweep, str(path))
    img = mpimg.imread(str(path))
    assert img.ndim == 3 and img.shape[0] > 100 and img.shape[1] > 300
    assert np.ptp(img[..., :3]) > 0  # not a blank canvas


def test_softmax_sweep_plots_its_upper_bound(tmp_path):
    res = width_sweep(SweepSettings(**{**TINY, "softmax": True, "classes": 3}))
    path = tmp_path / "softmax.png"
    F.plot_sweep(res, str(path))
    assert path.read_bytes()[:8] == MAGIC[".png"]


def test_plot_formats_are_image_suffixes():
    formats = F.plot_formats()
    assert {"png", "pdf", "svg"} <= set(formats)
    assert not {"pgf", "raw", "rgba"} & set(formats)


@pytest.mark.parametrize("name, fragment", [
    ("out.txt", "no image suffix"), ("out", "no image suffix"), ("", "give a file name"),
    ("missing/out.png", "does not exist"), ("adir.png", "is a folder"),
])
def test_check_plot_path_refuses(tmp_path, name, fragment):
    (tmp_path / "adir.png").mkdir()
    with pytest.raises(ValueError, match=fragment):
        F.check_plot_path(str(tmp_path / name) if name else name)


@needs_proc
def test_check_plot_path_refuses_an_unwritable_folder():
    with pytest.raises(ValueError, match="not writable"):
        F.check_plot_path(f"{UNWRITABLE}/out.png")


def test_check_plot_path_leaves_an_existing_file_alone(tmp_path):
    path = tmp_path / "old.png"
    path.write_bytes(b"old")
    assert F.check_plot_path(str(path)) == str(path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["old.png"]  # no probe file left behind


def test_check_output_dir(tmp_path):
    assert F.check_output_dir(str(tmp_path)) == str(tmp_path)
    assert F.check_output_dir(str(tmp_path / "new")) == str(tmp_path / "new")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not a folder"):
        F.check_output_dir(str(tmp_path / "file"))
    with pytest.raises(ValueError, match="does not exist"):
        F.check_output_dir(str(tmp_path / "a" / "b"))


def test_make_figures_refuses_unknown_names_before_drawing(tmp_path):
    with pytest.raises(ValueError, match="unknown figure 'ngdd'; known figures"):
        F.make_figures(str(tmp_path / "out"), quick=True, only=["ngd", "ngdd"])
    assert not (tmp_path / "out").exists()


def test_ngd_condition_numbers_of_exact_ngd_are_one():
    """Exact NGD gives J G⁺ Jᵀ/N = the projector onto range(J): condition number 1 when J has
    full row rank (N = 4 samples, P in the thousands)."""
    data = F.ngd_condition_numbers((20, 30), samples=4, seeds=2, kinds=("exact", "kfac"))
    assert set(data) == {"exact", "kfac", "ntk"}
    for M in (20, 30):
        np.testing.assert_allclose(data["exact"][M], 1.0, rtol=1e-8)
        assert np.all(data["ntk"][M] >= 1.0)


def test_figures_command_quick_ngd(tmp_path, capsys):
    out = tmp_path / "figs"
    code, stdout, err = _run(capsys, "figures", "--quick", "--only", "ngd", "--out", str(out))
    assert code == 0, err
    path = out / "ngd_isotropy.png"
    assert stdout.strip().splitlines() == [str(path)]
    assert path.read_bytes()[:8] == MAGIC[".png"]


@pytest.mark.parametrize("argv, fragment", [
    (["--only", "ngdd"], "--only 'ngdd' names no figure"),
    (["--only", ""], "names no figure"),
    (["--out", "{tmp}/file"], "exists and is not a folder"),
    (["--out", "{tmp}/no/such"], "does not exist"),
    (["--out", ""], "give a folder name"),
    (["--quik"], "unrecognized arguments"),
    (["--qui"], "unrecognized arguments"),       # no abbreviations
    (["--out"], "expected one argument"),
    (["--quick", "extra"], "unrecognized arguments"),
])
def test_figures_command_refuses(tmp_path, capsys, argv, fragment):
    (tmp_path / "file").write_text("x")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    code, out, err = _run(capsys, "figures", *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


@needs_proc
def test_figures_command_refuses_an_unwritable_folder(capsys):
    code, out, err = _run(capsys, "figures", "--quick", "--out", f"{UNWRITABLE}/figs")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "not writable" in err
