"""Command-line and API reference (meanfield_sym.site.reference)."""
import importlib

import pytest

from meanfield_sym.site import reference


def test_cli_reference_lists_every_subcommand():
    from meanfield_sym.cli import build_parser

    text = "\n".join(reference.cli_reference())
    subs = reference._subparsers(build_parser())
    assert subs, "no sub-command found"
    for name in subs:
        assert f"meanfield-sym {name}" in text


def test_stats_example_shows_the_output_of_the_command():
    text = "\n".join(reference.stats_example())
    assert text.startswith("Output of ``meanfield-sym stats --activation relu")
    assert "kappa" in text.lower() or "κ" in text


def test_stats_example_failure_is_an_error():
    with pytest.raises(RuntimeError, match="exited with status 2"):
        reference.stats_example(["stats", "--activation", "no_such_activation(", "--sigma-w2",
                                 "1", "--sigma-b2", "0", "--depth", "3"])


def test_api_modules_walk_the_layers_of_the_package_in_data_path_order():
    sections, failed = reference.api_modules()
    assert not failed, failed
    titles = [t for t, _ in sections]
    layers = [t.removeprefix("meanfield_sym.") for t in titles[1:]]
    present = [p for p in reference.LAYERS if importlib.util.find_spec(f"meanfield_sym.{p}")]
    assert layers[:len(present)] == present
    names = {m.__name__ for _, mods in sections for m in mods}
    for must in ("meanfield_sym", "meanfield_sym.kernels.engine",
                 "meanfield_sym.meanfield.network", "meanfield_sym.meanfield.phase",
                 "meanfield_sym.site.build", "meanfield_sym.generated.relu",
                 "meanfield_sym.verdicts.record", "meanfield_sym.cli"):
        assert must in names, must
    assert not any(".derivations" in n or n.endswith("__main__") for n in names)


def test_missing_layers_are_skipped_and_broken_modules_are_listed(monkeypatch):
    monkeypatch.setattr(reference, "LAYERS", ("statistics", "gaussian") + reference.LAYERS)
    real = importlib.import_module

    def fake(name, *args):
        if name == "meanfield_sym.checks":
            raise ImportError("broken on purpose")
        return real(name, *args)

    monkeypatch.setattr(reference.importlib, "import_module", fake)
    sections, failed = reference.api_modules()
    titles = [t for t, _ in sections]
    assert "meanfield_sym.statistics" not in titles and "meanfield_sym.gaussian" not in titles
    assert failed == [("meanfield_sym.checks", "ImportError: broken on purpose")]


def test_api_reference_autodocs_modules_once_and_summarises_generated_ones():
    pytest.importorskip("docutils", reason="the docs extra is not installed: "
                                           "pip install -e '.[docs]'")
    failed: list = []
    text = "\n".join(reference.api_reference(failed))
    assert not failed
    automodules = [line.split("::")[1].strip() for line in text.splitlines()
                   if line.startswith(".. automodule::")]
    assert len(automodules) == len(set(automodules))
    assert "meanfield_sym.meanfield.phase" in automodules
    assert "meanfield_sym.generated.relu" not in automodules  # summarised, not autodoc'ed
    assert "meanfield\\_sym.generated.relu\n~~~" in text
    # a package that only re-exports is shown by its docstring (no object described twice)
    block = text.split(".. automodule:: meanfield_sym.meanfield\n", 1)[1]
    assert not block.startswith("   :members:")


def test_bibliography_renders_every_reference_with_a_label():
    from meanfield_sym.citations import REFERENCES

    text = "\n".join(reference.bibliography_page())
    assert text.startswith(".. _bibliography:")
    for key, (short, full) in REFERENCES.items():
        assert f".. _ref-{key.lower()}:" in text
        assert f"**{reference.rst_escape(short)}** (``{key}``)" in text
        assert reference.rst_escape(full) in text


def test_check_example_runs_the_judge_and_the_command():
    """Cheap one-point formulas: the API call, then ``meanfield-sym check`` on a wrong one,
    whose record is rendered with its corrected form."""
    examples = [("relu one-point", "relu", "one_point", "q/2", "ChoSaul2009"),
                ("a wrong relu one-point", "relu", "one_point", "q/3", None)]
    text = "\n".join(reference.check_example(examples))
    assert ">>> r = check_kernel('relu', 'one_point'," in text
    assert "('HOLDS', True)" in text and ":verdict-holds:`HOLDS`" in text
    assert ":ref:`Cho & Saul 2009 <ref-chosaul2009>`" in text
    assert "$ meanfield-sym check relu --kernel one_point q/3" in text
    assert "— MISPRINT" in text and "corrected: q/2" in text and "$ echo $?\n   0" in text
    assert ":verdict-misprint:`MISPRINT`" in text and "**Corrected form:**" in text
    assert ".. rubric:: Witnesses" in text and ".. rubric:: Candidate forms" in text


def test_check_example_failure_is_an_error():
    with pytest.raises(RuntimeError, match="exited with status 2"):
        reference.check_example([("ok", "relu", "one_point", "q/2", None),
                                 ("bad", "relu", "one_point", "a + b", None)])
