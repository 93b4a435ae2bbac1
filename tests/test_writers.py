"""Writing tables: no live formulas, one Parquet schema whatever the chunks hold, Excel's row limit first."""

import json

import pandas as pd
import pytest

from classifier import OutputWriteError, score_file, write_table
from classifier.cli import main
from classifier.errors import ColumnNotFoundError
from classifier.tables import iter_table
from classifier.writers import TableWriter, escape_formulas

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

# --- formula injection (OWASP CSV injection) ------------------------------------------------------------------------

DANGEROUS = {
    "equals": '=HYPERLINK("http://x","y")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3",
    "at": "@SUM(A1:A2)",
    "tab": "\t=1+1",
    "carriage return": "\r=1+1",
}


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
@pytest.mark.parametrize("cell", DANGEROUS.values(), ids=DANGEROUS.keys())
def test_csv_cells_that_start_a_formula_get_a_quote(tmp_path, suffix, cell):
    path = tmp_path / f"out{suffix}"
    write_table(pd.DataFrame({"id": ["1"], "text": [cell]}), path)
    back = pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", dtype=str, keep_default_na=False)
    assert back["text"].tolist() == ["'" + cell]


def test_numbers_plain_text_and_column_names(tmp_path):
    frame = pd.DataFrame({"=name": ["-2.5", "+3", "-1e5", "ok", "a=b"], "hours": [-2.5, 1.0, 0.0, 2.0, 3.0]})
    escaped = escape_formulas(frame)
    assert list(escaped.columns) == ["'=name", "hours"]
    assert escaped["'=name"].tolist() == ["-2.5", "+3", "-1e5", "ok", "a=b"]  # numbers are not formulas
    assert escaped["hours"].tolist() == [-2.5, 1.0, 0.0, 2.0, 3.0]
    assert frame.columns[0] == "=name"  # the caller's frame is left alone


def test_escaping_can_be_turned_off(tmp_path):
    path = tmp_path / "out.csv"
    write_table(pd.DataFrame({"text": ["=1+1"]}), path, escape_formulas=False)
    assert path.read_text(encoding="utf-8").splitlines() == ["text", "=1+1"]


def test_excel_cells_are_text_never_live_formulas(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "out.xlsx"
    write_table(pd.DataFrame({"=id": ["1"], "text": [DANGEROUS["equals"]], "hours": [2.5]}), path)
    sheet = openpyxl.load_workbook(path).active
    assert [(cell.value, cell.data_type) for cell in sheet[1]] == [("=id", "s"), ("text", "s"), ("hours", "s")]
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [("1", "s"), (DANGEROUS["equals"], "s"), (2.5, "n")]


def test_cli_score_escapes_csv_and_the_flag_turns_it_off(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text('id,text\n1,"=HYPERLINK(""http://x"",""reset my password"")"\n', encoding="utf-8")
    assert main(["score", str(source), "-o", "-", "-m", tiny_bundle, "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("1,\"'=HYPERLINK(")
    assert main(["score", str(source), "-o", "-", "-m", tiny_bundle, "-q", "--no-escape-formulas"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith('1,"=HYPERLINK(')


# --- Parquet: one schema, fixed before the first chunk ------------------------------------------------------------


def _write_chunks(path, chunks, source=None):
    writer = TableWriter(path, "parquet", source=source)
    for chunk in chunks:
        writer.write(chunk)
    writer.close()
    return pq.read_table(path)


def test_a_column_all_missing_in_the_first_chunk(tmp_path):
    chunks = [
        pd.DataFrame({"text": ["", ""], "label": [None, None], "confidence": [float("nan")] * 2}),
        pd.DataFrame({"text": ["reset"], "label": ["ktlo"], "confidence": [0.5]}),
    ]
    table = _write_chunks(tmp_path / "o.parquet", chunks, source=tmp_path / "in.csv")
    assert table.schema.field("label").type == pa.string() and table.schema.field("label").nullable
    assert table.column("label").to_pylist() == [None, None, "ktlo"]
    assert table.column("confidence").to_pylist()[2] == 0.5


def test_jsonl_fields_null_at_first_and_ids_ints_then_text(tmp_path):
    source = tmp_path / "in.jsonl"
    rows = [
        {"id": 1, "note": None, "text": "a"},
        {"id": 2, "note": None, "text": "b"},
        {"id": "X-3", "note": 7, "text": "c"},
    ]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    table = _write_chunks(tmp_path / "o.parquet", iter_table(source, chunk_size=2), source=source)
    assert table.column("id").to_pylist() == ["1", "2", "X-3"]
    assert table.column("note").to_pylist() == [None, None, "7"]


def test_a_parquet_input_keeps_its_declared_types(tmp_path):
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": pa.array([None, None, 3], pa.int64()), "text": ["a", "b", "c"]}), source)

    table = _write_chunks(tmp_path / "o.parquet", iter_table(source, chunk_size=2), source=source)
    assert table.schema.field("id").type == pa.int64() and table.column("id").to_pylist() == [None, None, 3]


def test_a_field_appearing_late_or_changing_type_is_a_clear_error(tmp_path):
    writer = TableWriter(tmp_path / "o.parquet", "parquet", source=tmp_path / "in.jsonl")
    writer.write(pd.DataFrame({"text": ["a"], "hours": [1.5]}))
    with pytest.raises(OutputWriteError, match=r"column 'hours' in rows 2-2 cannot be written as double"):
        writer.write(pd.DataFrame({"text": ["b"], "hours": ["n/a"]}))
    with pytest.raises(OutputWriteError, match=r"column 'team' first appears in row 2, after the Parquet output"):
        writer.write(pd.DataFrame({"text": ["b"], "team": ["x"]}))


def test_repeated_column_names_are_a_clear_error(tmp_path):
    frame = pd.DataFrame([["a", "b"]], columns=["text", "text"])
    with pytest.raises(OutputWriteError, match=r"more than one column named 'text'; rename them"):
        write_table(frame, tmp_path / "o.parquet")
    assert list(tmp_path.iterdir()) == []


def test_cli_all_blank_first_chunk_to_parquet(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "b.csv"
    source.write_text('text\n""\n""\n""\nReset the password\n', encoding="utf-8")
    output = tmp_path / "o.parquet"
    assert main(["score", str(source), "-o", str(output), "--chunk-size", "3", "-m", tiny_bundle, "-q"]) == 0
    table = pq.read_table(output)
    assert table.column("label").null_count == 3 and table.column("label").to_pylist()[3] is not None
    assert table.schema.field("needs_review").type == pa.bool_()


def test_a_zero_row_parquet_input_gives_a_valid_empty_file_or_a_column_error(fitted_model, tmp_path):
    source = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.int64()), "text": pa.array([], pa.string())}), source)
    summary = score_file(source, tmp_path / "o.parquet", model=fitted_model)
    table = pq.read_table(tmp_path / "o.parquet")
    assert summary.rows == 0 and table.num_rows == 0
    assert table.schema.field("id").type == pa.int64() and table.schema.field("p_ktlo").type == pa.float64()
    assert table.schema.field("label").type == pa.string() and table.schema.field("in_scope").type == pa.bool_()
    with pytest.raises(ColumnNotFoundError, match=r"'body' not found in .*empty\.parquet; columns are: id, text"):
        score_file(source, tmp_path / "o2.parquet", model=fitted_model, text_column="body")
    assert not (tmp_path / "o2.parquet").exists()


# --- Excel's row limit ---------------------------------------------------------------------------------------------


def test_too_many_rows_for_excel_stop_at_the_first_chunk_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("classifier.writers.EXCEL_MAX_ROWS", 3)
    writer = TableWriter(tmp_path / "o.xlsx", "excel")
    writer.write(pd.DataFrame({"text": ["a", "b"]}))
    with pytest.raises(OutputWriteError, match=r"the output would have 4 rows or more, more than the 3 an Excel sheet"):
        writer.write(pd.DataFrame({"text": ["c", "d"]}))


def test_a_parquet_source_too_long_for_excel_is_refused_before_scoring(fitted_model, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("classifier.writers.EXCEL_MAX_ROWS", 3)
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["a", "b", "c", "d"]}), source)
    monkeypatch.setattr(type(fitted_model), "decide", lambda *a, **k: pytest.fail("scored before the check"))
    with pytest.raises(OutputWriteError, match=r"in\.parquet has 4 rows, more than the 3 an Excel sheet holds"):
        score_file(source, tmp_path / "o.xlsx", model=fitted_model)
    assert list(tmp_path.iterdir()) == [source]


def test_a_lone_carriage_return_in_a_cell_round_trips_through_csv(tmp_path):
    path = tmp_path / "out.csv"
    frame = pd.DataFrame({"id": ["1", "2"], "text": ["line one\rline two", "plain"]})
    write_table(frame, path)
    from classifier import read_table

    assert read_table(path).to_dict("list") == frame.to_dict("list")


def test_no_rows_to_jsonl_is_an_empty_file(tmp_path):
    write_table(pd.DataFrame({"text": pd.Series([], dtype=object)}), tmp_path / "o.jsonl")
    assert (tmp_path / "o.jsonl").read_bytes() == b""


def test_parquet_flags_read_back_as_pandas_nullable_booleans(tmp_path):
    frame = pd.DataFrame({"text": ["a", ""], "needs_review": pd.array([True, pd.NA], dtype="boolean")})
    writer = TableWriter(tmp_path / "out.parquet", "parquet")
    writer.write(frame)
    writer.close()
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert str(back["needs_review"].dtype) == "boolean" and back["needs_review"].isna().tolist() == [False, True]
