import codecs

import pandas as pd
import pytest

from classifier import ColumnNotFoundError, OutputExistsError, TableReadError, read_table, write_table
from classifier.tables import check_columns, iter_table

FRAME = pd.DataFrame({"id": ["1", "2", "NA"], "text": ['say "hi", then\nleave', "Café naïve", ""]})


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet", ".xlsx"])
def test_round_trip_keeps_values(tmp_path, suffix):
    path = tmp_path / f"table{suffix}"
    write_table(FRAME, path)
    back = read_table(path).fillna("")  # Excel has no empty string: a blank cell reads as missing
    assert back["text"].tolist() == FRAME["text"].tolist()
    assert back["id"].astype(str).tolist() == ["1", "2", "NA"]


def test_csv_keeps_na_strings_as_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\nNA,null\n", encoding="utf-8")
    assert read_table(path).iloc[0].tolist() == ["NA", "null"]


def test_iter_table_chunks(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"text": [f"row {i}" for i in range(10)]}).to_csv(path, index=False)
    assert [len(chunk) for chunk in iter_table(path, chunk_size=4)] == [4, 4, 2]


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "id,text\n1,Café\n".encode("utf-16-le"))
    assert read_table(path)["text"].tolist() == ["Café"]


def test_latin1_is_read_with_a_warning(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("id,text\n1,Café\n".encode("latin-1"))
    with pytest.warns(UserWarning, match="not valid UTF-8"):
        assert read_table(path)["text"].tolist() == ["Café"]


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(TableReadError, match="looks like a binary file"):
        read_table(path)


def test_unknown_extension_is_refused(tmp_path):
    with pytest.raises(TableReadError, match=r"extension '.docx' is not one of"):
        read_table(tmp_path / "t.docx")


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(TableReadError, match="not found"):
        read_table(tmp_path / "nope.csv")


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("")
    with pytest.raises(TableReadError, match="is empty"):
        read_table(path)


def test_missing_column_names_columns_and_suggests_one():
    frame = pd.DataFrame({"id": [1], "description": ["patch the app"]})
    with pytest.raises(
        ColumnNotFoundError,
        match=r"column 'text' not found in tasks.csv; columns are: id, description. Use text_column='description'.",
    ):
        check_columns(frame, {"text_column": "text"}, "tasks.csv")


def test_write_refuses_to_replace_without_overwrite(tmp_path):
    path = tmp_path / "out.csv"
    write_table(FRAME, path)
    before = path.read_bytes()
    with pytest.raises(OutputExistsError, match="already exists; pass overwrite=True"):
        write_table(FRAME.head(1), path)
    assert path.read_bytes() == before
    write_table(FRAME.head(1), path, overwrite=True)
    assert len(read_table(path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx", ".jsonl", ".tsv"])
def test_binary_garbage_in_any_format_is_a_clear_error(tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    path.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(TableReadError, match=r"(binary file|cannot be read as)"):
        read_table(path)


def test_csv_with_embedded_newlines_and_quotes_round_trips(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,text\n1,"line one\nline ""two"", with comma"\n2,plain\n', encoding="utf-8")
    assert read_table(path)["text"].tolist() == ['line one\nline "two", with comma', "plain"]
