"""Reading and writing tables: CSV, TSV, JSONL, Parquet and Excel, by file extension.

Text formats are read with every column as a string, so that a scored file
keeps its input columns exactly (no "NA" turned into a missing value, no ids
turned into floats). A row with more fields than the header is an error
naming the line (never a silent shift of the columns); a NUL byte anywhere in
a text file is refused. ``-`` means standard input or output, as CSV;
standard input is read in blocks, not whole. Writing is in
:mod:`classifier.writers`.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pandas as pd

from classifier.errors import ColumnNotFoundError, TableReadError
from classifier.outputs import atomic_output  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    import pyarrow
    import pyarrow.parquet

__all__ = [
    "read_table",
    "iter_table",
    "write_table",
    "table_format",
    "table_rows",
    "table_schema",
    "check_columns",
    "atomic_output",
    "TableWriter",
]

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


#: Bytes read at a time when checking a text file (NUL bytes, UTF-8) and from standard input.
_BLOCK = 1 << 20


def _detect_encoding(path: Path, encoding: str | None) -> str:
    """The file's encoding (given, or from its BOM, or UTF-8 if it decodes, else cp1252/latin-1).

    Reads the whole file once: a NUL byte anywhere (outside UTF-16) is refused, so none reaches an output.
    """
    with open(path, "rb") as handle:
        head = handle.read(4)
    if not encoding and head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    wide = bool(encoding) and codecs.lookup(str(encoding)).name.startswith(("utf-16", "utf-32"))
    decoder = codecs.getincrementaldecoder("utf-8")() if not encoding else None
    offset, line, bad_utf8 = 0, 1, None
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            nul = -1 if wide else block.find(b"\x00")
            if nul >= 0:
                _refuse_nul(str(path), offset + nul, line + block.count(b"\n", 0, nul), "byte")
            if decoder is not None and bad_utf8 is None:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as error:
                    bad_utf8 = offset + error.start
            line += block.count(b"\n")
            offset += len(block)
    if encoding:
        return encoding
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if bad_utf8 is None:
        try:
            assert decoder is not None
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            bad_utf8 = offset
    warnings.warn(
        f"{path} is not valid UTF-8 (byte {bad_utf8}); reading it as cp1252/latin-1. "
        "Pass encoding=NAME if that is wrong.",
        stacklevel=4,
    )
    return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def _refuse_nul(name: str, offset: int, line: int, unit: str) -> None:
    raise TableReadError(
        f"{name} holds a NUL {unit} at {unit} {offset} (line {line}): it looks like a binary file, not text; "
        "give a CSV, TSV, JSONL, Parquet or Excel file, or remove the NUL bytes"
    )


def _decodes(path: Path, encoding: str) -> bool:
    try:
        with open(path, encoding=encoding) as handle:
            for _ in iter(lambda: handle.read(_BLOCK), ""):
                pass
        return True
    except UnicodeDecodeError:
        return False


class _Stdin:
    """Standard input read in blocks as the parser asks for them (not whole), refusing NUL characters."""

    name = "standard input"

    def __init__(self, stream) -> None:
        self._stream = stream
        self._offset = 0
        self._line = 1

    def read(self, size: int = -1) -> str:
        text = self._stream.read(size)
        nul = text.find("\x00")
        if nul >= 0:
            _refuse_nul(self.name, self._offset + nul, self._line + text.count("\n", 0, nul), "character")
        self._offset += len(text)
        self._line += text.count("\n")
        return text

    def __iter__(self) -> Iterator[str]:  # pandas treats objects with read() and __iter__ as files
        return iter(lambda: self.read(_BLOCK), "")


def _check_not_a_directory(path: str | os.PathLike) -> None:
    if str(path) != "-" and Path(path).is_dir():
        raise TableReadError(
            f"input {path} is a directory, not a table file; give a CSV, TSV, JSONL, Parquet or Excel file"
        )


def _source(path: str | os.PathLike) -> Path | _Stdin:
    if str(path) == "-":
        return _Stdin(sys.stdin)
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

    Always yields at least one frame: a file with a header and no rows gives one empty frame with
    the header's columns. A row with more fields than the header raises :class:`TableReadError`
    naming the file and the line, whichever row it is.
    """
    _check_not_a_directory(path)
    kind = table_format(path)
    source = _source(path)
    name = source.name if isinstance(source, _Stdin) else str(source)
    # With on_read, pandas reads through our handle, so that its position is known.
    handle = None
    if on_read is not None and isinstance(source, Path) and kind in ("csv", "tsv", "jsonl") and chunk_size:
        handle = open(source, "rb")
    try:
        if kind in ("csv", "tsv"):
            file_encoding = None if isinstance(source, _Stdin) else _detect_encoding(source, encoding)
            chunks = _iter_delimited(handle or source, name, "\t" if kind == "tsv" else ",", chunk_size, file_encoding)
            yield from _reporting(chunks, handle, on_read)
        elif kind == "jsonl":
            assert isinstance(source, Path)  # standard input is CSV
            if _detect_encoding(source, encoding) != "utf-8" and not encoding:
                raise TableReadError(f"{name} is not UTF-8; JSON Lines files must be UTF-8")
            reader = pd.read_json(
                handle or source, lines=True, dtype=False, chunksize=chunk_size, encoding=encoding or "utf-8"
            )
            if chunk_size is None:
                yield reader
            else:
                with reader:
                    empty = True
                    for chunk in _reporting(reader, handle, on_read):
                        empty = False
                        yield chunk
                    if empty:
                        yield pd.DataFrame()
        elif kind == "parquet":
            yield from _iter_parquet(source, name, chunk_size)
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


_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _iter_delimited(
    source: Path | _Stdin | BinaryIO, name: str, separator: str, chunk_size: int | None, encoding: str | None
) -> Iterator[pd.DataFrame]:
    # The header is read as a data row (header=None): then a first row longer than the header is the same
    # ParserError as any other ragged row, instead of pandas silently taking the first column as the index.
    options: dict = dict(sep=separator, header=None, index_col=False, dtype=str, keep_default_na=False, na_values=[])
    if encoding is not None:
        options.update(encoding=encoding, encoding_errors="strict")
    reader = pd.read_csv(source, iterator=True, chunksize=chunk_size, **options)
    with reader:
        columns = _header_names(_next_chunk(reader, 1, name, separator).iloc[0].tolist())
        start = 0
        while True:
            try:
                chunk = _next_chunk(reader, chunk_size, name, separator)
            except StopIteration:
                break
            chunk.columns = columns
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            yield chunk
        if start == 0:
            yield pd.DataFrame({column: pd.Series([], dtype=object) for column in columns})


def _next_chunk(reader, size: int | None, name: str, separator: str) -> pd.DataFrame:
    try:
        return reader.get_chunk(size)
    except pd.errors.ParserError as error:
        ragged = _RAGGED.search(str(error))
        if ragged is None:
            raise
        expected, line, saw = ragged.groups()
        shown = "tab" if separator == "\t" else repr(separator)
        raise TableReadError(
            f"{name} line {line} has {saw} fields, but the header has {expected}: its values would land in the "
            f'wrong columns; quote values that contain a {shown} ("a{separator} b") or fix that line'
        ) from error


def _header_names(values: list) -> list[str]:
    """Column names from a header row, as pandas makes them: blank -> ``Unnamed: i``, repeats -> ``name.1``."""
    names: list[str] = []
    counts: dict[str, int] = {}
    for index, value in enumerate(values):
        base = name = str(value) if isinstance(value, str) and value != "" else f"Unnamed: {index}"
        while name in names:
            counts[base] = counts.get(base, 0) + 1
            name = f"{base}.{counts[base]}"
        names.append(name)
    return names


def _iter_parquet(source: Path | _Stdin, name: str, chunk_size: int | None) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(source)
    _check_unique_names(parquet.schema_arrow.names, name)
    if parquet.metadata.num_rows == 0:
        yield parquet.schema_arrow.empty_table().to_pandas()  # the columns, so that they can be checked
    elif chunk_size is None:
        yield parquet.read().to_pandas()
    else:
        for batch in parquet.iter_batches(batch_size=chunk_size):
            yield batch.to_pandas()


def _check_unique_names(names: list[str], name: str) -> None:
    repeated = sorted({column for column in names if names.count(column) > 1})
    if repeated:
        raise TableReadError(
            f"{name} has more than one column named {', '.join(map(repr, repeated))}; "
            "give each column its own name and write the file again"
        )


def read_table(path: str | os.PathLike, encoding: str | None = None) -> pd.DataFrame:
    """Read a whole table; the format follows the extension.

    Raises :class:`TableReadError` for a missing, binary or malformed file.
    """
    return next(iter(iter_table(path, None, encoding)))


def table_rows(path: str | os.PathLike) -> int | None:
    """The number of rows of ``path`` if its format records it (Parquet), else None."""
    if str(path) == "-" or table_format(path) != "parquet" or not Path(path).is_file():
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # iter_table reports an unreadable file
        return None


def table_schema(path: str | os.PathLike) -> pyarrow.Schema | None:
    """The column types ``path`` declares (Parquet), else None: text formats have no types."""
    if str(path) == "-" or table_format(path) != "parquet" or not Path(path).is_file():
        return None
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).schema_arrow
    except Exception:  # iter_table reports an unreadable file
        return None


def check_columns(frame: pd.DataFrame, columns: dict[str, str], source: str, exclude: Iterable[str] = ()) -> None:
    """Check that each needed column exists; ``columns`` maps the parameter name to the column name.

    A missing ``text_column`` comes with a suggestion: the column of longest text, never one of
    ``exclude`` (a label column), nor a column named for another parameter, nor one that is blank
    or mostly numbers.
    """
    for parameter, column in columns.items():
        if column not in frame.columns:
            available = [str(c) for c in frame.columns]
            others = [name for key, name in columns.items() if key != parameter]
            guess = _guess_text_column(frame, exclude=[*exclude, *others]) if parameter == "text_column" else None
            hint = f" Use {parameter}={guess!r}." if guess else f" Use {parameter}=NAME with one of them."
            raise ColumnNotFoundError(
                f"column {column!r} not found in {source}; columns are: {', '.join(available) or '(none)'}.{hint}"
            )


_NUMBER = re.compile(r"[-+]?(\d[\d,]*\.?\d*|\.\d+)([eE][-+]?\d+)?%?")


def _guess_text_column(frame: pd.DataFrame, exclude: Iterable[str] = ()) -> str | None:
    """The column most likely to hold the text: longest on average over its first 200 rows.

    Skips ``exclude``, columns with no text (blank, missing, or a file with no rows) and columns
    whose values are mostly numbers (ids, hours).

    >>> frame = pd.DataFrame({"id": ["1", "2"], "label": ["ktlo", "commodity_outsourceable"], "task": ["a", "b b"]})
    >>> _guess_text_column(frame, exclude=["label"])
    'task'
    """
    skipped = {str(column) for column in exclude}
    best, best_length = None, 0.0
    for column in frame.columns:
        if str(column) in skipped:
            continue
        values = frame[column].head(200)
        texts = [value.strip() for value in values if isinstance(value, str) and value.strip()]
        if not texts or sum(_NUMBER.fullmatch(text) is not None for text in texts) * 2 >= len(texts):
            continue
        length = sum(map(len, texts)) / len(values)  # blank cells count as no text
        if length > best_length:
            best, best_length = str(column), length
    return best


# Writing lives in classifier.writers; these names stay importable from here.
from classifier.writers import TableWriter, write_table  # noqa: E402
