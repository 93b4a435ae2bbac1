"""Progress on stderr for long runs: a start-up line, and a bar that knows how much of the input is left.

:class:`InputProgress` is the bar :func:`~classifier.scoring.score_file`
shows while it reads, scores and writes an input. Where the input's size is
known the bar has a total, so tqdm shows a percentage and the time left:

* CSV, TSV and JSON Lines files: bytes read of the file's size; the reader
  (:func:`~classifier.tables.iter_table`) reports its position in the file
  after each chunk, and the bar moves there when that chunk has been written;
* Parquet files: rows, of the row count in the file's metadata;
* Excel files and standard input: rows, without a total.

:func:`announce` prints one line (such as "loading model ...") before the
bar exists, so that a run is never silent during start-up. Both show only
when asked (``progress=True``) or, with ``progress=None``, when stderr is a
terminal.

>>> import io, sys
>>> with InputProgress("-", progress=False) as bar:
...     bar.update(20)
>>> bar.rows, bar.unit
(20, 'rows')
"""

from __future__ import annotations

import os
import sys
from collections import deque
from types import TracebackType

__all__ = ["InputProgress", "announce", "input_total", "shown"]

#: Formats whose reader reports its byte position (see ``iter_table(on_read=...)``).
_BYTE_FORMATS = ("csv", "tsv", "jsonl")


def shown(progress: bool | None) -> bool:
    """Whether progress is shown: ``progress`` if given, else whether stderr is a terminal."""
    if progress is not None:
        return progress
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def announce(message: str, progress: bool | None = None) -> None:
    """Print ``message`` on stderr (at once) if progress is shown; for the silent seconds of start-up."""
    if shown(progress):
        print(message, file=sys.stderr, flush=True)


def input_total(path: str | os.PathLike) -> tuple[int | None, str]:
    """How much input ``path`` holds, as ``(total, unit)``: ``(bytes, "B")`` for text formats,
    ``(rows, "rows")`` for Parquet, ``(None, "rows")`` where it is not known cheaply.

    >>> input_total("-")
    (None, 'rows')
    """
    from classifier.tables import table_format

    if str(path) == "-":
        return None, "rows"
    try:
        kind = table_format(path)
        if kind in _BYTE_FORMATS:
            return os.path.getsize(path), "B"
        if kind == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(path).metadata.num_rows, "rows"
    except Exception:  # a missing or unreadable file: the reader reports it, the bar just has no total
        pass
    return None, "rows"


class InputProgress:
    """A tqdm bar over one input file on stderr, used as a context manager.

    Call :meth:`on_read` with the reader's byte position after each chunk it
    reads, and :meth:`update` with the rows of each chunk done, in the same
    order; the bar shows bytes (of the file size) for text formats and rows
    otherwise. ``progress=None`` shows it only when stderr is a terminal and
    the run lasts more than a couple of seconds.
    """

    def __init__(self, path: str | os.PathLike, progress: bool | None = None) -> None:
        from tqdm import tqdm

        self.total, self.unit = input_total(path)
        self.rows = 0
        self._positions: deque[int] = deque()
        options = (
            dict(unit="B", unit_scale=True, unit_divisor=1024)
            if self.unit == "B"
            else dict(unit=" rows", unit_scale=True)
        )
        # delay: without progress=True, a bar appears only for runs longer than a couple of seconds.
        self.bar = tqdm(
            total=self.total,
            disable=not shown(progress),
            file=sys.stderr,
            delay=0 if progress else 2,
            mininterval=0.5,
            **options,
        )

    def on_read(self, position: int) -> None:
        """The reader has read up to byte ``position`` of the file (one call per chunk, in order)."""
        self._positions.append(position)

    def update(self, rows: int) -> None:
        """A chunk of ``rows`` rows is done: move to where the reader was after reading it."""
        self.rows += rows
        if self.unit == "B" and self._positions:
            position = min(self._positions.popleft(), self.total or 0)
            self.bar.set_postfix_str(f"{self.rows:,} rows", refresh=False)  # shown by the update below
            self.bar.update(position - self.bar.n)
        elif self.unit != "B":
            self.bar.update(rows)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> InputProgress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
