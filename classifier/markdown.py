"""Markdown for reports and model cards: tables, and text from the input made inert.

>>> print("\\n".join(markdown_table(["label", "share"], [["ktlo", "25%"], ["a|b", "line\\nbreak"]])))
| label | share |
|---|---|
| ktlo | 25% |
| a\\|b | line break |
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

__all__ = ["markdown_table", "markdown_cell", "markdown_text"]

# Characters that start emphasis, code or links anywhere; an underscore only at a word's edge (CommonMark
# never reads one inside a word, so label ids such as commodity_outsourceable stay as they are).
_INLINE = re.compile(r"([\\`*\[\]~])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_LINE_START = re.compile(r"^(\s*)([#>+=-])", re.MULTILINE)


def markdown_cell(value: object) -> str:
    """``str(value)`` made safe inside a table cell: ``|`` escaped, line breaks turned into spaces.

    >>> markdown_cell("C:\\\\temp | logs")
    'C:\\\\temp \\\\| logs'
    """
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_text(value: object) -> str:
    """Text from the input written so that Markdown shows it as it is and no renderer runs it.

    HTML is escaped (``<script>`` stays text), and the characters that would start
    emphasis, code, a link or a heading are backslash-escaped.

    >>> markdown_text("<script>alert(1)</script> *urgent* [x](javascript:y)")
    '&lt;script&gt;alert(1)&lt;/script&gt; \\\\*urgent\\\\* \\\\[x\\\\](javascript:y)'
    >>> markdown_text("# commodity_outsourceable")
    '\\\\# commodity_outsourceable'
    """
    escaped = html.escape(str(value), quote=False)
    escaped = _INLINE.sub(lambda match: "\\" + match.group(0), escaped)
    return _LINE_START.sub(lambda match: match.group(1) + "\\" + match.group(2), escaped)


def markdown_table(columns: Sequence[object], rows: Iterable[Sequence[object]]) -> list[str]:
    """The lines of a Markdown table: the header, the ``|---|`` rule, then one line per row.

    Cells are written with ``str`` (format numbers before), through :func:`markdown_cell`.
    """
    lines = ["| " + " | ".join(map(markdown_cell, columns)) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(map(markdown_cell, row)) + " |" for row in rows]
    return lines
