"""Reading and writing tables: CSV, TSV, JSONL, Parquet and Excel, by file extension.

Text formats are read with every column as a string, so that a scored file
keeps its input columns exactly (no "NA" turned into a missing value, no ids
turned into floats). Files are written to a temporary file beside the target
and renamed at the end: an interrupted write never leaves a partial output.
``-`` means standard input or output, as CSV.
"""

from __future__ import annotations

import codecs
import io
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from classifier.errors import ColumnNotFoundError, TableReadError
from classifier.outputs import check_output_target

if TYPE_CHECKING:
    import pyarrow.parquet

__all__ = ["read_table", "iter_table", "write_table", "table_format", "check_columns", "atomic_output", "TableWriter"]

_FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
}


def table_format(path: str | os.PathLike) -> str:
    """The table format of a path, from its extension (``-`` is CSV).

    >>> table_format("tickets.JSONL"), table_format("-")
    ('jsonl', 'csv')
    """
    if str(path) == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise TableReadError(
            f"cannot tell the format of {path}: extension {suffix or '(none)'!r} is not one of "
            f"{', '.join(sorted(_FORMATS))}; rename the file or convert it to CSV"
        )
    return _FORMATS[suffix]


def _detect_encoding(path: Path, encoding: str | None) -> str:
    if encoding:
        return encoding
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise TableReadError(
            f"{path} looks like a binary file, not text (it holds NUL bytes); "
            "give a CSV, TSV, JSONL, Parquet or Excel file"
        )
    try:
        with open(path, encoding="utf-8") as handle:
            for _ in iter(lambda: handle.read(1 << 20), ""):
                pass
        return "utf-8"
    except UnicodeDecodeError as error:
        warnings.warn(
            f"{path} is not valid UTF-8 (byte {error.start}); reading it as cp1252/latin-1. "
            "Pass encoding=NAME if that is wrong.",
            stacklevel=3,
        )
        return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def _decodes(path: Path, encoding: str) -> bool:
    try:
        with open(path, encoding=encoding) as handle:
            for _ in iter(lambda: handle.read(1 << 20), ""):
                pass
        return True
    except UnicodeDecodeError:
        return False


def _source(path: str | os.PathLike) -> Path | io.StringIO:
    if str(path) == "-":
        return io.StringIO(sys.stdin.read())
    source = Path(path)
    if not source.is_file():
        raise TableReadError(f"input file {source} not found; check the path")
    return source


def iter_table(
    path: str | os.PathLike,
    chunk_size: int | None = None,
    encoding: str | None = None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield a table in chunks of ``chunk_size`` rows (one chunk if None or not streamable).

    ``on_read`` (for a progress bar) is called before each chunk of a CSV, TSV or JSON Lines file
    is yielded, with the number of bytes of the file read so far.
    """
    kind = table_format(path)
    source = _source(path)
    name = "standard input" if isinstance(source, io.StringIO) else str(source)
    # With on_read, pandas reads through our handle, so that its position is known.
    handle = None
    if on_read is not None and isinstance(source, Path) and kind in ("csv", "tsv", "jsonl") and chunk_size:
        handle = open(source, "rb")
    data = handle or source
    try:
        if kind in ("csv", "tsv"):
            options = dict(dtype=str, keep_default_na=False, na_values=[], sep="\t" if kind == "tsv" else ",")
            if not isinstance(source, io.StringIO):
                options["encoding"] = _detect_encoding(source, encoding)
                options["encoding_errors"] = "strict"
            reader = pd.read_csv(data, chunksize=chunk_size, **options)
            if chunk_size is None:
                yield reader
            else:
                with reader:
                    yield from _reporting(reader, handle, on_read)
        elif kind == "jsonl":
            if not isinstance(source, io.StringIO) and _detect_encoding(source, encoding) != "utf-8" and not encoding:
                raise TableReadError(f"{name} is not UTF-8; JSON Lines files must be UTF-8")
            reader = pd.read_json(data, lines=True, dtype=False, chunksize=chunk_size, encoding=encoding or "utf-8")
            if chunk_size is None:
                yield reader
            else:
                with reader:
                    yield from _reporting(reader, handle, on_read)
        elif kind == "parquet":
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(source)
            if chunk_size is None:
                yield parquet.read().to_pandas()
            else:
                for batch in parquet.iter_batches(batch_size=chunk_size):
                    yield batch.to_pandas()
        else:
            yield pd.read_excel(source, dtype=object, keep_default_na=False, na_values=[])
    except (TableReadError, ColumnNotFoundError):
        raise
    except UnicodeDecodeError as error:
        raise TableReadError(
            f"{name} cannot be decoded as {error.encoding} at byte {error.start}; pass encoding=NAME"
        ) from error
    except pd.errors.EmptyDataError as error:
        raise TableReadError(f"{name} is empty: it has no header row; give a file with a header and rows") from error
    except Exception as error:  # pandas/pyarrow/openpyxl raise many types for malformed files
        raise TableReadError(f"{name} cannot be read as {kind}: {error}".rstrip()) from error
    finally:
        if handle is not None:
            handle.close()


def _reporting(chunks: Iterator[pd.DataFrame], handle, on_read) -> Iterator[pd.DataFrame]:
    """``chunks``, with ``on_read(bytes read so far)`` before each one if there is a handle to ask."""
    for chunk in chunks:
        if handle is not None:
            on_read(handle.tell())
        yield chunk


def read_table(path: str | os.PathLike, encoding: str | None = None) -> pd.DataFrame:
    """Read a whole table; the format follows the extension.

    Raises :class:`TableReadError` for a missing, binary or malformed file.
    """
    return next(iter(iter_table(path, None, encoding)))


def check_columns(frame: pd.DataFrame, columns: dict[str, str], source: str) -> None:
    """Check that each needed column exists; ``columns`` maps the parameter name to the column name."""
    for parameter, column in columns.items():
        if column not in frame.columns:
            available = [str(c) for c in frame.columns]
            guess = _guess_text_column(frame)
            hint = (
                f" Use {parameter}={guess!r}."
                if guess and parameter == "text_column"
                else f" Use {parameter}=NAME with one of them."
            )
            raise ColumnNotFoundError(
                f"column {column!r} not found in {source}; columns are: {', '.join(available) or '(none)'}.{hint}"
            )


def _guess_text_column(frame: pd.DataFrame) -> str | None:
    best, best_length = None, 0.0
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            length = values.head(200).map(lambda v: len(v) if isinstance(v, str) else 0).mean()
            if length > best_length:
                best, best_length = str(column), length
    return best


@contextmanager
def atomic_output(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only if the block succeeds."""
    target = check_output_target(path, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial" + target.suffix, dir=target.parent
    )
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    finally:
        temporary_path.unlink(missing_ok=True)


class TableWriter:
    """Append DataFrame chunks to one output file of the format its extension names."""

    def __init__(self, path: Path, kind: str, stream=None) -> None:
        self.path = path
        self.kind = kind
        self.stream = stream
        self._parquet: pyarrow.parquet.ParquetWriter | None = None  # opened on the first parquet chunk
        self._excel_chunks: list[pd.DataFrame] = []
        self._first = True

    def write(self, frame: pd.DataFrame) -> None:
        if self.kind in ("csv", "tsv"):
            separator = "\t" if self.kind == "tsv" else ","
            if self.stream is not None:
                frame.to_csv(self.stream, index=False, header=self._first, sep=separator)
            else:
                frame.to_csv(
                    self.path,
                    index=False,
                    header=self._first,
                    sep=separator,
                    mode="w" if self._first else "a",
                    encoding="utf-8",
                )
        elif self.kind == "jsonl":
            text = frame.to_json(orient="records", lines=True, force_ascii=False)
            with open(self.path, "w" if self._first else "a", encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") or not text else text + "\n")
        elif self.kind == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema)
            self._parquet.write_table(table.cast(self._parquet.schema))
        else:
            self._excel_chunks.append(frame)
        self._first = False

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self.kind == "excel":
            frame = pd.concat(self._excel_chunks, ignore_index=True) if self._excel_chunks else pd.DataFrame()
            frame.to_excel(self.path, index=False)


def write_table(frame: pd.DataFrame, path: str | os.PathLike, overwrite: bool = False) -> None:
    """Write a table atomically; the format follows the extension, ``-`` is CSV to stdout."""
    if str(path) == "-":
        frame.to_csv(sys.stdout, index=False)
        return
    kind = table_format(path)
    with atomic_output(path, overwrite) as temporary:
        writer = TableWriter(temporary, kind)
        writer.write(frame)
        writer.close()
