"""Markdown tables: the one writer behind model cards, reports and the corpus counts.

>>> print("\\n".join(markdown_table(["label", "share"], [["ktlo", "25%"], ["a|b", "line\\nbreak"]])))
| label | share |
|---|---|
| ktlo | 25% |
| a\\|b | line break |
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["markdown_table", "markdown_cell"]


def markdown_cell(value: object) -> str:
    """``str(value)`` made safe inside a table cell: ``|`` escaped, line breaks turned into spaces.

    >>> markdown_cell("C:\\\\temp | logs")
    'C:\\\\temp \\\\| logs'
    """
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(columns: Sequence[object], rows: Iterable[Sequence[object]]) -> list[str]:
    """The lines of a Markdown table: the header, the ``|---|`` rule, then one line per row.

    Cells are written with ``str`` (format numbers before), through :func:`markdown_cell`.
    """
    lines = ["| " + " | ".join(map(markdown_cell, columns)) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(map(markdown_cell, row)) + " |" for row in rows]
    return lines
