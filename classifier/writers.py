"""Writing tables: CSV, TSV, JSONL, Parquet and Excel, by file extension, in chunks.

What a writer guarantees, whatever the cells hold:

- **No live formulas.** Excel cells are written as text, never as formulas
  (openpyxl would make a formula of any text starting with ``=``). In CSV and
  TSV, a text cell or column name starting with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return gets a leading ``'``, as OWASP advises against CSV
  injection, unless it is a plain number such as ``-2.5``;
  ``escape_formulas=False`` writes cells exactly as they are.
- **One Parquet schema, fixed at the first chunk.** A Parquet input's columns
  keep its declared types. Other columns take their type from the first chunk,
  all nullable: true/false, decimals and timestamps keep their type; text, and
  columns with no value yet, are text. When the rows come from another format
  in chunks (``source``), whole numbers are written as text too, since a later
  chunk of an untyped file may hold text in the same column.
- **Excel's row limit is checked first.** A sheet holds 1,048,575 rows under
  its header; a Parquet source with more is refused before anything is done,
  and otherwise the first chunk past the limit stops the run.

Files are written through :func:`classifier.outputs.atomic_output`.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from classifier.errors import OutputWriteError
from classifier.outputs import atomic_output
from classifier.tables import table_format, table_rows, table_schema

if TYPE_CHECKING:
    import pyarrow
    import pyarrow.parquet

__all__ = ["TableWriter", "write_table", "escape_formulas", "check_excel_rows", "EXCEL_MAX_ROWS"]

#: Rows an Excel sheet holds under its header row (1,048,576 in all).
EXCEL_MAX_ROWS = 1_048_575

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _escape(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a spreadsheet formula.

    >>> frame = pd.DataFrame({"text": ["=HYPERLINK(1)", "-2.5", "@SUM(A1)", "ok"]})
    >>> escape_formulas(frame)["text"].tolist()
    ["'=HYPERLINK(1)", '-2.5', "'@SUM(A1)", 'ok']
    """
    result = frame.copy(deep=False)
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if _holds_text(values):
            rows = _text_matches(values, "startswith", _FORMULA_START).nonzero()[0]
            if len(rows):
                escaped = values.copy()
                escaped.iloc[rows] = [_escape(value) for value in values.iloc[rows]]
                result.isetitem(position, escaped)
    result.columns = [_escape(column) for column in frame.columns]
    return result


def _holds_text(values: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(values.dtype) or pd.api.types.is_string_dtype(values.dtype)


def _text_matches(values: pd.Series, method: str, argument: Any) -> np.ndarray:
    """Which cells are text for which ``str.METHOD(argument)`` holds (vectorized where pandas can)."""
    try:
        if method == "contains":
            found = values.str.contains(argument, regex=False, na=False)
        else:
            found = getattr(values.str, method)(argument, na=False)
        return found.to_numpy(dtype=bool, na_value=False)
    except (AttributeError, TypeError):  # an object column without text: .str refuses it
        return values.map(lambda value: isinstance(value, str) and getattr(value, method)(argument)).to_numpy(bool)


class TableWriter:
    """Append DataFrame chunks to one output file of the format its extension names.

    ``source`` is the input the rows come from, if any: a Parquet input's column types and row
    count are read from it before the first chunk. ``escape_formulas`` applies to CSV and TSV.
    """

    def __init__(
        self,
        path: Path,
        kind: str,
        stream=None,
        *,
        source: str | os.PathLike | None = None,
        escape_formulas: bool = True,
    ) -> None:
        self.path = path
        self.kind = kind
        self.stream = stream
        self.source = source
        self.escape_formulas = escape_formulas
        self._parquet: pyarrow.parquet.ParquetWriter | None = None  # opened on the first parquet chunk
        self._excel_chunks: list[pd.DataFrame] = []
        self._rows = 0
        self._started = False
        if kind == "excel" and source is not None:
            check_excel_rows(table_rows(source), f"{source} has", "rows")

    def write(self, frame: pd.DataFrame) -> None:
        if self.kind in ("csv", "tsv"):
            separator = "\t" if self.kind == "tsv" else ","
            shown = escape_formulas(frame) if self.escape_formulas else frame
            # Python's csv module quotes a field with a newline but not one with a lone carriage return,
            # which readers then take for a line break: quote every field of such a chunk.
            options = dict(
                index=False,
                header=not self._started,
                sep=separator,
                quoting=csv.QUOTE_ALL if _has_carriage_return(shown) else csv.QUOTE_MINIMAL,
            )
            if self.stream is not None:
                shown.to_csv(self.stream, **options)
            else:
                shown.to_csv(self.path, mode="a" if self._started else "w", encoding="utf-8", **options)
        elif self.kind == "jsonl":
            text = frame.to_json(orient="records", lines=True, force_ascii=False) if len(frame) else ""
            with open(self.path, "a" if self._started else "w", encoding="utf-8") as handle:
                handle.write(text if text.endswith("\n") or not text else text + "\n")
        elif self.kind == "parquet":
            self._write_parquet(frame)
        else:
            check_excel_rows(self._rows + len(frame), "the output would have", "rows or more")
            self._excel_chunks.append(frame)
        self._rows += len(frame)
        self._started = True

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        repeated = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        if repeated:
            raise OutputWriteError(
                f"cannot write Parquet with more than one column named {', '.join(map(repr, repeated))}; "
                "rename them (Parquet needs unique column names)"
            )
        if self._parquet is None:
            declared = table_schema(self.source) if self.source is not None else None
            schema = _parquet_schema(frame, declared, streamed=self.source is not None)
            self._parquet = pq.ParquetWriter(self.path, schema)
        schema = self._parquet.schema
        extra = [str(c) for c in frame.columns if str(c) not in schema.names]
        if extra:
            raise OutputWriteError(
                f"column {extra[0]!r} first appears in row {self._rows + 1}, after the Parquet output's columns "
                f"were fixed by the first rows ({', '.join(schema.names)}); give every row every field "
                "(null where empty) or write CSV"
            )
        arrays = [
            _arrow_values(frame[field.name], field, self._rows)
            if field.name in frame.columns
            else pa.nulls(len(frame), field.type)
            for field in schema
        ]
        self._parquet.write_table(pa.Table.from_arrays(arrays, schema=schema))

    def close(self) -> None:
        if self.kind == "parquet" and self._parquet is None:
            self._write_parquet(pd.DataFrame())  # no rows at all: still a valid, empty file
        if self._parquet is not None:
            self._parquet.close()
        if self.kind == "excel":
            frame = pd.concat(self._excel_chunks, ignore_index=True) if self._excel_chunks else pd.DataFrame()
            _write_excel(frame, self.path)


def _has_carriage_return(frame: pd.DataFrame) -> bool:
    names = any(isinstance(column, str) and "\r" in column for column in frame.columns)
    return names or any(
        _text_matches(frame.iloc[:, position], "contains", "\r").any()
        for position in range(frame.shape[1])
        if _holds_text(frame.iloc[:, position])
    )


def check_excel_rows(rows: int | None, what: str, unit: str) -> None:
    """Refuse ``rows`` rows for an Excel sheet when they are more than it holds (``what`` and ``unit`` say whose)."""
    if rows is not None and rows > EXCEL_MAX_ROWS:
        raise OutputWriteError(
            f"{what} {rows:,} {unit}, more than the {EXCEL_MAX_ROWS:,} an Excel sheet holds under its header; "
            "write .csv or .parquet instead"
        )


def _write_excel(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` as one sheet whose text cells are all text: openpyxl makes a formula of ``=...``."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False)
        sheet = writer.sheets["Sheet1"]
        for column, name in enumerate(frame.columns, start=1):
            if str(name).startswith("="):
                sheet.cell(row=1, column=column).data_type = "s"
            values = frame.iloc[:, column - 1]
            if _holds_text(values):
                for row in _text_matches(values, "startswith", "=").nonzero()[0]:
                    sheet.cell(row=int(row) + 2, column=column).data_type = "s"


def _parquet_schema(frame: pd.DataFrame, declared: pyarrow.Schema | None, streamed: bool) -> pyarrow.Schema:
    import pyarrow as pa

    fields = []
    for column in frame.columns:
        name = str(column)
        if declared is not None and name in declared.names:
            fields.append(declared.field(name).with_nullable(True))
        else:
            fields.append(pa.field(name, _arrow_type(frame[column], streamed and declared is None), nullable=True))
    # pandas' own metadata for its nullable booleans (the needs_review and in_scope columns), so that pandas
    # reads them back as "boolean" with <NA> on blank rows, not as objects holding None.
    flags = [column for column in frame.columns if isinstance(frame[column].dtype, pd.BooleanDtype)]
    metadata = pa.Schema.from_pandas(frame[flags], preserve_index=False).metadata if flags else None
    return pa.schema(fields, metadata=metadata)


def _arrow_type(values: pd.Series, streamed: bool) -> pyarrow.DataType:
    import pyarrow as pa

    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return pa.bool_()
    if pd.api.types.is_float_dtype(dtype):
        return pa.float64()
    if pd.api.types.is_integer_dtype(dtype):
        return pa.string() if streamed else pa.int64()
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        return pa.Schema.from_pandas(values.to_frame(), preserve_index=False).field(0).type
    if pd.api.types.is_object_dtype(dtype) and not streamed:  # a whole table: keep what pyarrow makes of it
        try:
            inferred = pa.array(values, from_pandas=True).type
        except (pa.ArrowException, TypeError, ValueError):
            return pa.string()
        return pa.string() if pa.types.is_null(inferred) else inferred
    return pa.string()


def _as_text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, str):
        return value
    if hasattr(value, "item") and not hasattr(value, "__len__"):
        value = value.item()  # a numpy scalar
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _arrow_values(values: pd.Series, field: pyarrow.Field, start: int) -> pyarrow.Array:
    import pyarrow as pa

    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        try:
            return pa.array(values, type=field.type, from_pandas=True)  # text and missing values only
        except (pa.ArrowException, TypeError, ValueError):
            return pa.array([_as_text(value) for value in values], type=field.type)
    try:
        return pa.array(values, type=field.type, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError) as error:
        raise OutputWriteError(
            f"column {field.name!r} in rows {start + 1:,}-{start + len(values):,} cannot be written as "
            f"{field.type}, the type its first rows gave it ({str(error).splitlines()[0]}); "
            "give the column one type, or write CSV"
        ) from error


def write_table(
    frame: pd.DataFrame, path: str | os.PathLike, overwrite: bool = False, escape_formulas: bool = True
) -> None:
    """Write a table atomically; the format follows the extension, ``-`` is CSV to stdout.

    ``escape_formulas`` guards CSV and TSV text cells that a spreadsheet would run as formulas
    (see :mod:`classifier.writers`); Excel cells are always written as text.
    """
    if str(path) == "-":
        TableWriter(Path("-"), "csv", stream=sys.stdout, escape_formulas=escape_formulas).write(frame)
        return
    kind = table_format(path)
    with atomic_output(path, overwrite) as temporary:
        writer = TableWriter(temporary, kind, escape_formulas=escape_formulas)
        writer.write(frame)
        writer.close()
