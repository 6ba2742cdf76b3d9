"""reST text for the generated pages: escaping, small block writers, and writing a page to disk.

Every generated page is a list of reST lines built from these pieces; :func:`write_page` writes
it only when its text changed, so Sphinx rebuilds only what changed.  Nothing here needs
docutils except :func:`is_clean_rst` (and so :func:`prose`), which imports it when called.
"""
from __future__ import annotations

import inspect
import io
import re
from pathlib import Path

import sympy as sp

__all__ = ["rst_escape", "escape_docstring_pipes", "heading", "indent", "math_block",
           "literal_block", "formula", "note", "is_clean_rst", "prose", "write_page"]


def rst_escape(text) -> str:
    """One line of plain text made safe for reST inline markup.

    Whitespace is collapsed to single spaces and the characters that start inline markup
    (backslash, backquote, ``*``, ``_``, ``|``) are backslash-escaped.

    >>> rst_escape("|b| <= a and f_*(x)")
    '\\\\|b\\\\| <= a and f\\\\_\\\\*(x)'
    """
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_|])", r"\\\1", text)


_DIRECTIVE = re.compile(r"^(\s*)\.\. [A-Za-z][\w:-]*::")
_INLINE_LITERAL = re.compile(r"(``.+?``|:[\w:-]+:`[^`]*`|(?<!`)`[^`]+`(?!`)_{0,2})")


def _pipes_in_prose(line: str, carry: str | None) -> tuple[str, str | None]:
    """Escape the pipes of one prose line outside inline literals and roles.

    ``carry`` is the closing mark (two backquotes for an inline literal, one for a role) of
    inline markup opened on an earlier line of the paragraph and not yet closed; returns the
    line and the mark still open at its end.
    """
    head = ""
    if carry is not None:
        end = line.find(carry)
        if end < 0:
            return line, carry
        head, line = line[:end + len(carry)], line[end + len(carry):]
    parts = _INLINE_LITERAL.split(line)
    carry = None
    last = parts[-1]
    for opener in ("``", "`"):
        at = last.find(opener)
        if at >= 0:  # markup opened here and closed on a later line
            parts[-1:] = [last[:at], last[at:]]
            carry = opener
            break
    out = [p if k % 2 or (carry is not None and k == len(parts) - 1)
           else re.sub(r"(?<!\\)\|", r"\\|", p) for k, p in enumerate(parts)]
    return head + "".join(out), carry


def escape_docstring_pipes(lines: list[str]) -> list[str]:
    """Escape ``|`` in docstring prose, where it means an absolute value, not a substitution.

    Docstrings here write ``|b| <= a`` as plain text; reST would read ``|b|`` as an undefined
    substitution and a warnings-as-errors build would fail.  Pipes are left alone in inline
    literals and roles (``:math:`|b|```, also when they run over a line break), literal blocks
    (after ``::``), directive bodies (``.. math::``), doctest blocks, tables and line blocks.
    Used by ``docs/conf.py`` as an ``autodoc-process-docstring`` hook.

    >>> escape_docstring_pipes(["Needs |b| <= a; see :math:`|b|`.", "", ">>> abs(-1) | 2"])
    ['Needs \\\\|b\\\\| <= a; see :math:`|b|`.', '', '>>> abs(-1) | 2']
    >>> escape_docstring_pipes(["A ``{'x':", "y}`` with |b|."])
    ["A ``{'x':", 'y}`` with \\\\|b\\\\|.']
    """
    out = []
    block_indent = None  # indentation of the line that opened a literal/directive block
    in_doctest = False
    carry = None  # closer of inline markup still open from the previous line
    for line in lines:
        stripped = line.lstrip()
        ind = len(line) - len(stripped)
        if not stripped:
            carry = None  # inline markup ends with its paragraph
        if block_indent is not None:
            if not stripped or ind > block_indent:
                out.append(line)
                continue
            block_indent = None
        if in_doctest:
            if stripped:
                out.append(line)
                continue
            in_doctest = False
        if stripped.startswith(">>>"):
            in_doctest = True
            out.append(line)
            continue
        if _DIRECTIVE.match(line) or line.rstrip().endswith("::"):
            block_indent = ind
        if stripped.startswith(("| ", "+-", "+=", "|-")) or \
                stripped.endswith("|") and stripped.startswith("|"):
            out.append(line)
            continue
        line, carry = _pipes_in_prose(line, carry)
        out.append(line)
    return out


def heading(text: str, char: str) -> list[str]:
    """A section title underlined with ``char``.

    >>> heading("a_b", "-")
    ['a\\\\_b', '------', '']
    """
    text = rst_escape(text)
    return [text, char * (len(text) + 2), ""]


def indent(lines, prefix: str = "   ") -> list[str]:
    """``lines`` indented by ``prefix`` (blank lines stay empty)."""
    return [(prefix + line) if line.strip() else "" for line in lines]


def math_block(latex: str) -> list[str]:
    """Display math (a ``.. math::`` directive)."""
    body = [line for line in latex.splitlines() if line.strip()]
    return [".. math::", ""] + indent(body) + [""]


def literal_block(text: str, language: str = "text") -> list[str]:
    """Verbatim text (a ``.. code-block::`` directive)."""
    body = str(text).rstrip("\n").splitlines() or [""]
    return [f".. code-block:: {language}", ""] + indent(body) + [""]


def formula(value) -> list[str]:
    """A SymPy expression as display math; anything else as a literal block."""
    if value is None:
        return ["(none)", ""]
    if isinstance(value, sp.Basic):
        return math_block(sp.latex(value))
    return literal_block(str(value))


def note(kind: str, text: str) -> list[str]:
    """An admonition (``note``, ``warning``, ``error`` ...) holding plain ``text``."""
    return [f".. {kind}::", ""] + indent([rst_escape(line) for line in text.splitlines()]) + [""]


def is_clean_rst(text: str) -> bool:
    """True when ``text`` parses as reST with no warning and no section of its own.

    Sphinx-only roles and directives are not errors here (Sphinx knows them); anything else
    that docutils would warn about makes :func:`prose` fall back to a literal block, so a
    docstring written as plain text can never break a build that treats warnings as errors.
    Needs docutils (the ``docs`` extra).
    """
    from docutils import nodes
    from docutils.core import publish_doctree

    try:
        tree = publish_doctree(text, settings_overrides={
            "report_level": 2, "halt_level": 5, "warning_stream": io.StringIO(),
            "file_insertion_enabled": False, "raw_enabled": False})
    except Exception:  # noqa: BLE001 -- any parser failure means "not clean"
        return False
    if tree.next_node(nodes.section) is not None or tree.next_node(nodes.title) is not None:
        return False
    tolerated = set()
    for msg in tree.findall(nodes.system_message):
        body = msg.astext()
        if msg["level"] < 2:
            continue
        if "Unknown interpreted text role" in body or "Unknown directive type" in body:
            tolerated.update(msg["ids"])
            continue
        return False
    for prob in tree.findall(nodes.problematic):
        if prob.get("refid") not in tolerated:
            return False
    return True


def prose(text: str) -> list[str]:
    """A docstring as reST when it is clean reST (:func:`is_clean_rst`), else verbatim."""
    text = inspect.cleandoc(text or "")
    if not text:
        return []
    text = "\n".join(escape_docstring_pipes(text.splitlines()))
    if is_clean_rst(text):
        return text.splitlines() + [""]
    return literal_block(text)


def write_page(path: Path, lines, written: set) -> None:
    """Write ``lines`` to ``path`` only if the content changed (keeps Sphinx incremental).

    The path is added to ``written``, the files of this run:
    :func:`meanfield_sym.site.build.generate` removes the files it did not write.
    """
    text = "\n".join(lines).rstrip("\n") + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    written.add(path.resolve())
