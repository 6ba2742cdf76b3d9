"""reST pieces of the generated pages (meanfield_sym.site.rst)."""
import pytest
import sympy as sp

from meanfield_sym.site import rst


def test_rst_escape_collapses_whitespace_and_escapes_inline_markup():
    assert rst.rst_escape("a\n  b") == "a b"
    assert rst.rst_escape("|b| f_*(x) `c` \\") == "\\|b\\| f\\_\\*(x) \\`c\\` \\\\"


def test_docstring_pipes_are_escaped_only_in_prose():
    lines = ["Needs |b| <= a, see :math:`|b| \\le a`.", "", ".. math::", "",
             "   |b| \\le a", "", ">>> 1 | 2", "3", "", "+---+", "| x |"]
    out = rst.escape_docstring_pipes(lines)
    assert out[0] == "Needs \\|b\\| <= a, see :math:`|b| \\le a`."
    assert out[1:] == lines[1:]


def test_literal_block_after_double_colon_keeps_its_pipes():
    lines = ["Example::", "", "   |x| stays", "back to |prose|"]
    assert rst.escape_docstring_pipes(lines) == ["Example::", "", "   |x| stays",
                                                 "back to \\|prose\\|"]


def test_formula_is_math_for_sympy_and_literal_otherwise():
    x = sp.Symbol("x")
    assert rst.formula(x / 2)[:3] == [".. math::", "", "   " + sp.latex(x / 2)]
    assert rst.formula("text only")[0] == ".. code-block:: text"
    assert rst.formula(None) == ["(none)", ""]


def test_note_escapes_its_text():
    assert rst.note("warning", "a |b| c") == [".. warning::", "", "   a \\|b\\| c", ""]


def test_write_page_rewrites_only_changed_files(tmp_path):
    path = tmp_path / "sub" / "p.rst"
    written: set = set()
    rst.write_page(path, ["a", "b", ""], written)
    assert path.read_text() == "a\nb\n" and path.resolve() in written
    mtime = path.stat().st_mtime_ns
    rst.write_page(path, ["a", "b"], written)
    assert path.stat().st_mtime_ns == mtime
    rst.write_page(path, ["c"], written)
    assert path.read_text() == "c\n"


def test_plain_text_docstring_falls_back_to_a_literal_block():
    pytest.importorskip("docutils", reason="the docs extra is not installed: "
                                           "pip install -e '.[docs]'")
    assert rst.prose("Fine prose with :func:`x` and |b| <= a.")[0].startswith("Fine")
    bad = rst.prose("Unbalanced *emphasis here")
    assert bad[0] == ".. code-block:: text"
    assert rst.prose("Title\n=====\n\ntext")[0] == ".. code-block:: text"  # no own sections
    assert rst.prose("") == []


def test_inline_markup_running_over_a_line_break_keeps_its_pipes():
    lines = ["Returns ``{'one_point':", "q_max}`` meaning a + |b| < s_max, :math:`|x|",
             "\\le 1` and |c|.", "", "Unclosed ``x", "", "then |d|"]
    assert rst.escape_docstring_pipes(lines) == [
        "Returns ``{'one_point':", "q_max}`` meaning a + \\|b\\| < s_max, :math:`|x|",
        "\\le 1` and \\|c\\|.", "", "Unclosed ``x", "", "then \\|d\\|"]
    # a literal closed on the next line, then another literal after the pipe
    lines = ["converge: ``{'one_point':", "q_max}`` and a + |b| < s (``oo`` for every"]
    assert rst.escape_docstring_pipes(lines)[1] == "q_max}`` and a + \\|b\\| < s (``oo`` for every"
