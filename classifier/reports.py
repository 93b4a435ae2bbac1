"""A small report writer: headings, paragraphs, tables and figures, as Markdown and as one HTML file.

The HTML is self-contained: CSS is inline and figures are embedded as base64
``data:`` URIs, so the file can be mailed or opened offline and refers to
nothing outside itself. The Markdown refers to each figure as ``NAME.png``
beside it. Figures are matplotlib figures; they are rendered to PNG when
added (make them with ``matplotlib.figure.Figure()``, which needs no pyplot
and no global state).

>>> import pandas as pd
>>> report = Report("Team mix")
>>> report.paragraph("Share of hours per label & team.")
>>> report.table(pd.DataFrame({"team": ["data"], "ktlo": [0.25]}))
>>> print(report.to_markdown())
# Team mix
<BLANKLINE>
Share of hours per label & team.
<BLANKLINE>
| team | ktlo |
|---|---|
| data | 0.250 |
<BLANKLINE>
>>> "Share of hours per label &amp; team." in report.to_html()
True
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, SupportsFloat

import pandas as pd

from classifier.markdown import markdown_table
from classifier.outputs import check_output_targets
from classifier.tables import atomic_output

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["Report"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #555; }
""".strip()


@dataclass(frozen=True)
class _Block:
    kind: str  # heading, paragraph, table, figure
    text: str = ""
    level: int = 2
    frame: pd.DataFrame | None = None
    float_format: str = "{:.3f}"
    name: str = ""
    png: bytes = b""


def _cell(value: object, float_format: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    floating = isinstance(value, float) or getattr(getattr(value, "dtype", None), "kind", "") == "f"
    if floating and isinstance(value, SupportsFloat):
        return float_format.format(float(value))
    return str(value)


def _is_number(value: object) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or hasattr(value, "dtype")


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

    def paragraph(self, text: str) -> None:
        """Add a paragraph of plain text (escaped in HTML)."""
        self._blocks.append(_Block("paragraph", text=str(text)))

    def table(self, frame: pd.DataFrame, float_format: str = "{:.3f}") -> None:
        """Add a table; a named or non-default index becomes the first column(s)."""
        self._blocks.append(_Block("table", frame=_prepare(frame).copy(), float_format=float_format))

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
        parts = [f"# {self.title}", ""]
        for block in self._blocks:
            if block.kind == "heading":
                parts += [f"{'#' * block.level} {block.text}", ""]
            elif block.kind == "paragraph":
                parts += [block.text, ""]
            elif block.kind == "table":
                frame = block.frame
                assert frame is not None  # table blocks always carry a frame
                rows = ([_cell(v, block.float_format) for v in row] for row in frame.itertuples(index=False))
                parts += [*markdown_table(list(frame.columns), rows), ""]
            else:
                parts += [f"![{block.text}]({block.name}.png)", "", f"*{block.text}*", ""]
        return "\n".join(parts)

    def to_html(self) -> str:
        """The report as one HTML file: inline CSS, figures as base64 ``data:`` URIs, no external reference."""
        escape = html.escape
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8">',
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
                parts.append(f"<p>{escape(block.text)}</p>")
            elif block.kind == "table":
                frame = block.frame
                assert frame is not None  # table blocks always carry a frame
                rows = ["<table>", "<thead><tr>" + "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)]
                rows.append("</tr></thead><tbody>")
                for row in frame.itertuples(index=False):
                    cells = "".join(
                        f"<td{' class=number' if _is_number(v) else ''}>{escape(_cell(v, block.float_format))}</td>"
                        for v in row
                    )
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

    def write(self, directory: str | os.PathLike, stem: str = "report", overwrite: bool = False) -> dict[str, Path]:
        """Write ``STEM.md``, ``STEM.html`` and each figure as ``NAME.png`` into ``directory``, each atomically.

        Returns the paths by key: ``"markdown"``, ``"html"`` and ``"NAME.png"`` per figure. Nothing is
        written if any target exists and ``overwrite`` is false.
        """
        if not isinstance(stem, str) or not _NAME.fullmatch(stem):
            raise ValueError(f"report stem {stem!r} is not a plain file name; use e.g. 'report' or 'team_mix'")
        folder = Path(directory)
        targets: dict[str, tuple[Path, bytes]] = {
            f"{name}.png": (folder / f"{name}.png", png) for name, png in self.figures.items()
        }
        targets["markdown"] = (folder / f"{stem}.md", self.to_markdown().encode("utf-8"))
        targets["html"] = (folder / f"{stem}.html", self.to_html().encode("utf-8"))
        check_output_targets([path for path, _ in targets.values()], overwrite, what="report output", folder=folder)
        for path, content in targets.values():
            with atomic_output(path, overwrite=True) as temporary:
                temporary.write_bytes(content)
        return {key: path for key, (path, _) in targets.items()}
