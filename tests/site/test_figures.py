"""Figures of the site (meanfield_sym.site.figures): the phase diagram is drawn, not computed."""
import numpy as np
import pytest

import meanfield_sym.meanfield.phase as phase
from meanfield_sym.site import figures


def _matplotlib():
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (the docs extra "
                                             "installs it: pip install -e '.[docs]')")


def test_phase_diagram_caption_reports_the_numbers_of_the_meanfield_layer(tmp_path):
    _matplotlib()
    out, written = tmp_path / "generated", set()
    summary = figures.write_phase_diagram(out, written, log=lambda *a: None)
    pd = phase.phase_diagram(**figures.PHASE_DIAGRAM_SETTINGS)
    png, inc = out / "figures" / "phase_diagram.png", out / "phase_diagram.inc"
    assert png.stat().st_size > 10_000 and {png.resolve(), inc.resolve()} <= written
    caption = inc.read_text()
    assert caption.startswith(".. figure:: /generated/figures/phase_diagram.png")
    assert f"on a {pd.sigma_w2.size} x {pd.sigma_b2.size} grid" in caption
    assert f"the largest is {np.max(pd.eta_c):.3g}." in caption
    assert f"eta_c = {np.min(pd.eta_c):.3g}," in caption
    assert "chi_1 = 1" in caption  # erf crosses the order-to-chaos line on this grid
    assert summary["evaluator"] == pd.evaluator


def test_a_failure_of_the_phase_diagram_stops_the_build(tmp_path, monkeypatch):
    _matplotlib()

    def broken(*args, **kwargs):
        raise ValueError("the statistics fail on purpose")

    monkeypatch.setattr(phase, "phase_diagram", broken)
    with pytest.raises(ValueError, match="on purpose"):
        figures.write_phase_diagram(tmp_path, set(), log=lambda *a: None)
    assert not (tmp_path / "phase_diagram.inc").exists()


def test_figures_page_lists_the_pngs_of_docs_figures(tmp_path):
    lines, count = figures.figures_page(tmp_path)
    assert count == 0 and any(".. note::" in line for line in lines)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "my_fig-1.png").write_bytes(b"\x89PNG")
    text = "\n".join(figures.figures_page(tmp_path)[0])
    assert ".. figure:: /figures/my_fig-1.png" in text and "my fig 1" in text
