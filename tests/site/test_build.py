"""The driver of the docs build (meanfield_sym.site.build) and its two command lines."""
import subprocess
import sys
from pathlib import Path

from meanfield_sym.site import build

REPO = Path(__file__).resolve().parents[2]


def test_both_commands_take_the_same_options():
    helps = []
    for module in ("meanfield_sym.site", "meanfield_sym.site.build"):
        proc = subprocess.run([sys.executable, "-m", module, "--help"], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert f"usage: python -m {module} " in proc.stdout
        helps.append(proc.stdout.split("options:", 1)[1])
    assert helps[0] == helps[1]
    for option in ("--docs", "--out", "--slow", "--extra-derivations", "--generate-only",
                   "--no-strict"):
        assert option in helps[0]


def test_the_former_names_still_import_from_build():
    for name in ("generate", "build", "main", "find_mathjax", "rst_escape",
                 "escape_docstring_pipes", "KernelCache", "derivation_page", "errata_page",
                 "run_derivations", "activation_page", "cli_reference", "api_reference",
                 "GENERATED", "KERNEL_KEYS", "repo_docs_dir"):
        assert hasattr(build, name), name
    assert not hasattr(build, "phase_diagram")  # science lives in meanfield_sym.meanfield.phase


def test_repo_docs_dir_is_the_docs_folder_of_this_checkout():
    assert build.repo_docs_dir() == REPO / "docs"
    assert (build.repo_docs_dir() / "conf.py").is_file()


def test_optional_pages_join_the_index_only_when_they_exist(tmp_path):
    empty = build.optional_pages(tmp_path)
    assert len(empty) == 1 and empty[0].startswith(".. No optional page (data.rst)")
    assert "toctree" not in "\n".join(empty)
    (tmp_path / "data.rst").write_text("Data\n====\n")
    text = "\n".join(build.optional_pages(tmp_path))
    assert ".. toctree::" in text and "   /data" in text


def test_index_includes_the_optional_pages_and_links_the_new_pages():
    index = (build.repo_docs_dir() / "index.rst").read_text()
    assert ".. include:: generated/optional_pages.inc" in index
    for page in ("checking", "generated/bibliography", "generated/errata"):
        assert f"   {page}\n" in index
    assert (build.repo_docs_dir() / "checking.rst").is_file()
    assert ".. include:: generated/check_example.inc" in \
        (build.repo_docs_dir() / "checking.rst").read_text()
