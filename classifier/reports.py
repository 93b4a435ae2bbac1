"""A small report writer: headings, paragraphs, lists, tables and figures, as Markdown and as one HTML file.

The HTML is self-contained: CSS is inline and figures are embedded as base64
``data:`` URIs, so the file can be mailed or opened offline and refers to
nothing outside itself. The Markdown refers to each figure as ``NAME.png``
beside it. Figures are matplotlib figures; they are rendered to PNG when
added (make them with ``matplotlib.figure.Figure()``, which needs no pyplot
and no global state).

Every text is taken as plain text, whoever wrote it: HTML is escaped in both
outputs and Markdown syntax in the Markdown, so a ``<script>`` or a
``[link](...)`` in the input is shown, never run. A long cell can be a
:class:`Clipped` text: shortened in the table, whole on hover in the HTML.

>>> import pandas as pd
>>> report = Report("Team mix")
>>> report.paragraph("Share of hours per label & team.")
>>> report.table(pd.DataFrame({"team": ["data"], "ktlo": [0.25]}), formats={"ktlo": "{:.1%}"})
>>> print(report.to_markdown())
# Team mix
<BLANKLINE>
Share of hours per label &amp; team.
<BLANKLINE>
| team | ktlo |
|---|---|
| data | 25.0% |
<BLANKLINE>
>>> "<td class=number>25.0%</td>" in report.to_html()
True
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, SupportsFloat

import pandas as pd

from classifier.markdown import markdown_table, markdown_text
from classifier.outputs import check_output_targets
from classifier.staging import staged_directory

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Report", "Clipped"]

#: How a table column's numbers are written: a ``str.format`` pattern or a function.
Format = str | Callable[[float], str]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
_STYLES = ("plain", "lead", "note")
_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 62rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; }
h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
p.lead { font-size: 1.3rem; font-weight: 600; margin: 1rem 0; }
p.note { font-size: 0.85rem; color: #555; }
ul { padding-left: 1.4rem; }
li { margin: 0.3rem 0; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
span[title] { text-decoration: underline dotted #999; cursor: help; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #555; }
""".strip()


@dataclass(frozen=True)
class Clipped:
    """A long text for a table cell: cut to ``limit`` characters at a word, whole on hover in the HTML.

    >>> Clipped("reset the password and unlock the account", 20).short
    'reset the password…'
    >>> Clipped("short text").short
    'short text'
    """

    text: str
    limit: int = 90

    @property
    def short(self) -> str:
        text = " ".join(str(self.text).split())
        if len(text) <= self.limit:
            return text
        cut = text[: self.limit - 1]
        if text[len(cut)] != " " and " " in cut[self.limit // 2 :]:  # cut inside a word: end at the one before
            cut = cut[: cut.rindex(" ")]
        return cut.rstrip(" ,;:.-") + "…"

    def __str__(self) -> str:
        return self.short


@dataclass(frozen=True)
class _Block:
    kind: str  # heading, paragraph, bullets, table, figure
    text: str = ""
    level: int = 2
    style: str = "plain"
    items: tuple[str, ...] = ()
    frame: pd.DataFrame | None = None
    float_format: str = "{:.3f}"
    formats: Mapping[str, Format] = field(default_factory=dict)
    name: str = ""
    png: bytes = b""


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or hasattr(value, "dtype")


def _number(value: object, pattern: Format | None, float_format: str) -> str:
    if pattern is not None and isinstance(value, SupportsFloat):
        return pattern(float(value)) if callable(pattern) else pattern.format(value)
    floating = isinstance(value, float) or getattr(getattr(value, "dtype", None), "kind", "") == "f"
    if floating and isinstance(value, SupportsFloat):
        return float_format.format(float(value))
    return str(value)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _markdown_cell(value: object, pattern: Format | None, float_format: str) -> str:
    if _missing(value):
        return ""
    if isinstance(value, Clipped):
        return markdown_text(value.short)
    if _is_number(value):
        return _number(value, pattern, float_format)
    return markdown_text(value)


def _html_cell(value: object, pattern: Format | None, float_format: str) -> str:
    if _missing(value):
        return "<td></td>"
    if isinstance(value, Clipped):
        short = value.short
        if short == " ".join(str(value.text).split()):
            return f"<td>{html.escape(short)}</td>"
        return f'<td><span title="{html.escape(str(value.text))}">{html.escape(short)}</span></td>'
    if _is_number(value):
        return f"<td class=number>{html.escape(_number(value, pattern, float_format))}</td>"
    return f"<td>{html.escape(str(value))}</td>"


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table needs a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(frame.index, pd.RangeIndex) or any(name is not None for name in frame.index.names):
        frame = frame.reset_index()
    return frame


class Report:
    """A document built block by block, written as Markdown and as self-contained HTML."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._blocks: list[_Block] = []

    def heading(self, text: str, level: int = 2) -> None:
        """Add a heading; level 2 to 6 (level 1 is the title)."""
        if not isinstance(level, int) or not 1 <= level <= 6:
            raise ValueError(f"heading level must be an integer from 1 to 6, got {level!r}")
        self._blocks.append(_Block("heading", text=str(text), level=level))

    def paragraph(self, text: str, style: str = "plain") -> None:
        """Add a paragraph of plain text; ``style`` is ``"plain"``, ``"lead"`` (the answer, in bold) or ``"note"``."""
        if style not in _STYLES:
            raise ValueError(f"paragraph style must be one of {', '.join(_STYLES)}, got {style!r}")
        self._blocks.append(_Block("paragraph", text=str(text), style=style))

    def bullets(self, items: Sequence[str]) -> None:
        """Add a bulleted list, one plain text per item."""
        if isinstance(items, str):
            raise TypeError("bullets needs a list of texts, got a single str; wrap it in a list")
        self._blocks.append(_Block("bullets", items=tuple(str(item) for item in items)))

    def table(
        self, frame: pd.DataFrame, float_format: str = "{:.3f}", formats: Mapping[str, Format] | None = None
    ) -> None:
        """Add a table; a named or non-default index becomes the first column(s).

        Numbers are written with ``formats[column]`` (a pattern such as ``"{:,.0f}"``
        or a function of the number) where given, floats otherwise with ``float_format``.
        """
        prepared = _prepare(frame).copy()
        unknown = sorted(set(formats or {}) - {str(column) for column in prepared.columns})
        if unknown:
            raise ValueError(f"formats name columns the table does not have: {', '.join(unknown)}")
        self._blocks.append(_Block("table", frame=prepared, float_format=float_format, formats=dict(formats or {})))

    def figure(self, figure: Figure, caption: str, name: str) -> None:
        """Render a matplotlib figure to PNG, keep the bytes, and close the figure.

        ``name`` is the file name without ``.png``: letters, digits, ``_``, ``-`` and ``.``, unique in the report.
        """
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(
                f"figure name {name!r} is not a plain file name; "
                "use letters, digits, '_', '-' or '.', e.g. 'mix_by_team'"
            )
        if any(block.kind == "figure" and block.name == name for block in self._blocks):
            raise ValueError(f"the report already has a figure named {name!r}; give each figure its own name")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:
            pyplot.close(figure)  # a figure made with pyplot stays registered until closed
        self._blocks.append(_Block("figure", text=str(caption), name=name, png=buffer.getvalue()))

    @property
    def figures(self) -> dict[str, bytes]:
        """PNG bytes of each figure, by name."""
        return {block.name: block.png for block in self._blocks if block.kind == "figure"}

    def to_markdown(self) -> str:
        """The report as Markdown; figures are referenced as ``NAME.png`` in the same directory."""
        parts = [f"# {markdown_text(self.title)}", ""]
        for block in self._blocks:
            text = markdown_text(block.text)
            if block.kind == "heading":
                parts += [f"{'#' * block.level} {text}", ""]
            elif block.kind == "paragraph":
                parts += [{"lead": f"**{text}**", "note": f"*{text}*"}.get(block.style, text), ""]
            elif block.kind == "bullets":
                parts += [*(f"- {markdown_text(item)}" for item in block.items), ""]
            elif block.kind == "table":
                frame = block.frame
                assert frame is not None  # table blocks always carry a frame
                patterns = [block.formats.get(str(column)) for column in frame.columns]
                rows = (
                    [_markdown_cell(value, pattern, block.float_format) for value, pattern in zip(row, patterns)]
                    for row in frame.itertuples(index=False)
                )
                parts += [*markdown_table([markdown_text(c) for c in frame.columns], rows), ""]
            else:
                parts += [f"![{text}]({block.name}.png)", "", f"*{text}*", ""]
        return "\n".join(parts)

    def to_html(self) -> str:
        """The report as one HTML file: inline CSS, figures as base64 ``data:`` URIs, no external reference."""
        escape = html.escape
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(self.title)}</title>",
            f"<style>\n{_CSS}\n</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(self.title)}</h1>",
        ]
        for block in self._blocks:
            if block.kind == "heading":
                parts.append(f"<h{block.level}>{escape(block.text)}</h{block.level}>")
            elif block.kind == "paragraph":
                style = "" if block.style == "plain" else f' class="{block.style}"'
                parts.append(f"<p{style}>{escape(block.text)}</p>")
            elif block.kind == "bullets":
                parts.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>")
            elif block.kind == "table":
                frame = block.frame
                assert frame is not None  # table blocks always carry a frame
                patterns = [block.formats.get(str(column)) for column in frame.columns]
                rows = ["<table>", "<thead><tr>" + "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)]
                rows.append("</tr></thead><tbody>")
                for row in frame.itertuples(index=False):
                    cells = "".join(_html_cell(v, p, block.float_format) for v, p in zip(row, patterns))
                    rows.append(f"<tr>{cells}</tr>")
                rows.append("</tbody></table>")
                parts.append("\n".join(rows))
            else:
                data = base64.b64encode(block.png).decode("ascii")
                parts.append(
                    f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.text)}">'
                    f"<figcaption>{escape(block.text)}</figcaption></figure>"
                )
        parts += ["</body>", "</html>", ""]
        return "\n".join(parts)

    def write(
        self,
        directory: str | os.PathLike,
        stem: str = "report",
        overwrite: bool = False,
        extra_files: Mapping[str, bytes] | None = None,
    ) -> dict[str, Path]:
        """Write ``STEM.md``, ``STEM.html``, each figure as ``NAME.png`` and ``extra_files`` into ``directory``.

        The files are written to a directory beside ``directory`` first and swapped
        in as a whole (see :mod:`classifier.staging`), so a failure (a full disk)
        leaves an earlier report exactly as it was, never half old, half new.
        Returns the paths by key: ``"markdown"``, ``"html"``, ``"NAME.png"`` per
        figure and each extra file's name. Nothing is written if any target
        exists and ``overwrite`` is false.
        """
        if not isinstance(stem, str) or not _NAME.fullmatch(stem):
            raise ValueError(f"report stem {stem!r} is not a plain file name; use e.g. 'report' or 'team_mix'")
        for name in extra_files or {}:
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise ValueError(f"extra file name {name!r} is not a plain file name; use e.g. 'metrics.json'")
        folder = Path(directory)
        contents: dict[str, tuple[str, bytes]] = {
            f"{name}.png": (f"{name}.png", png) for name, png in self.figures.items()
        }
        contents["markdown"] = (f"{stem}.md", self.to_markdown().encode("utf-8"))
        contents["html"] = (f"{stem}.html", self.to_html().encode("utf-8"))
        contents.update({name: (name, content) for name, content in (extra_files or {}).items()})
        check_output_targets(
            [folder / file_name for file_name, _ in contents.values()], overwrite, what="report output", folder=folder
        )
        with staged_directory(folder, what="report directory") as staging:
            for file_name, content in contents.values():
                _write_file(staging / file_name, content)
        return {key: folder / file_name for key, (file_name, _) in contents.items()}


def _write_file(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:  # created with the user's umask, as any new file
        handle.write(content)
