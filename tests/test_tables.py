import codecs
import io
import re

import pandas as pd
import pytest

from classifier import ColumnNotFoundError, OutputExistsError, TableReadError, read_table, write_table
from classifier.cli import main
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


# --- ragged rows: always one error naming the file and the line ------------------------------------------------

RAGGED = {
    "first row": ("id,text,team\n1,Reset the password, then unlock it,desk\n2,Patch the app,apps\n", 2, 4),
    "later row": ("id,text,team\n1,Reset the password,desk\n2,Patch the app, then test it,apps\n", 3, 4),
    "last of many": ("id,text\n" + "".join(f"{i},row {i}\n" for i in range(1, 9)) + "9,row, 9\n", 10, 3),
}


@pytest.mark.parametrize("chunk_size", [None, 1, 3], ids=["whole", "chunks of 1", "chunks of 3"])
@pytest.mark.parametrize("content,line,fields", RAGGED.values(), ids=RAGGED.keys())
def test_a_ragged_row_is_one_error_naming_file_and_line(tmp_path, content, line, fields, chunk_size):
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    header = content.splitlines()[0].count(",") + 1
    with pytest.raises(
        TableReadError, match=rf"r\.csv line {line} has {fields} fields, but the header has {header}: .*quote values"
    ):
        list(iter_table(path, chunk_size=chunk_size))


def test_a_ragged_tsv_row_names_the_tab(tmp_path):
    path = tmp_path / "r.tsv"
    path.write_text("id\ttext\n1\tReset\tthe password\n", encoding="utf-8")
    with pytest.raises(TableReadError, match=r"r\.tsv line 2 has 3 fields, but the header has 2: .*contain a tab"):
        read_table(path)


def test_short_rows_and_quoted_separators_still_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,text,team\n1,"Reset, then unlock",desk\n2,Patch\n', encoding="utf-8")
    frame = read_table(path)
    assert frame.to_dict("list") == {"id": ["1", "2"], "text": ["Reset, then unlock", "Patch"], "team": ["desk", ""]}


def test_chunks_keep_sizes_names_and_a_running_index(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,,a\n" + "".join(f"{i},x,y\n" for i in range(5)), encoding="utf-8")
    chunks = list(iter_table(path, chunk_size=2))
    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert list(chunks[0].columns) == ["a", "Unnamed: 1", "a.1"]  # as pandas names blank and repeated headers
    assert [chunk.index[0] for chunk in chunks] == [0, 2, 4]


def test_cli_ragged_first_row_is_exit_2_and_one_line(tiny_bundle, tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text(RAGGED["first row"][0], encoding="utf-8")
    assert main(["score", str(path), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle, "-q"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "r.csv line 2 has 4 fields, but the header has 3" in error
    assert not (tmp_path / "out.csv").exists()


# --- header-only files and the text column suggestion ----------------------------------------------------------


@pytest.mark.parametrize(
    "name,content,columns",
    [("hdr.csv", "id,description\n", ["id", "description"]), ("hdr.txt", "a,b", ["a", "b"])],
    ids=["csv with newline", "txt without"],
)
def test_a_header_only_file_reads_as_no_rows_and_its_column_error_is_clear(tmp_path, name, content, columns):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == columns and len(frame) == 0
    assert [len(chunk) for chunk in iter_table(path, chunk_size=5)] == [0]
    with pytest.raises(ColumnNotFoundError, match=r"columns are: .*\. Use text_column=NAME with one of them\.$"):
        check_columns(frame, {"text_column": "text"}, name)


@pytest.mark.parametrize("name", ["hdr.csv", "hdr.txt"])
def test_cli_header_only_file_is_one_line_and_exit_2(tiny_bundle, tmp_path, capsys, name):
    path = tmp_path / name
    path.write_text("id,description\n", encoding="utf-8")
    assert main(["score", str(path), "-o", str(tmp_path / "x.csv"), "-m", tiny_bundle]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.endswith("columns are: id, description. Use --text-column NAME with one of them.\n")


SUGGESTIONS = {
    "label column never": ({"id": ["1"], "label": ["commodity_outsourceable"], "task": ["a task"]}, "task"),
    "blank column never": ({"id": ["10", "11"], "description": ["", " "], "team": ["desk", "ops"]}, "team"),
    "numbers never": ({"id": ["123456789", "223456789"], "hours": ["1.5", "2,000"], "note": ["ok", "x"]}, "note"),
    "nothing fits": ({"id": ["1"], "description": [""]}, None),
}


@pytest.mark.parametrize("values,guess", SUGGESTIONS.values(), ids=SUGGESTIONS.keys())
def test_the_text_column_suggestion_skips_labels_blanks_and_numbers(values, guess):
    frame = pd.DataFrame(values)
    hint = f"Use text_column='{guess}'." if guess else "Use text_column=NAME with one of them."
    with pytest.raises(ColumnNotFoundError, match=re.escape(hint)):
        check_columns(frame, {"text_column": "text"}, "t.csv", exclude=["label"])


def test_training_columns_never_suggest_the_label_column():
    frame = pd.DataFrame({"task": ["ab"], "label": ["commodity_outsourceable"]})
    with pytest.raises(ColumnNotFoundError, match=r"Use text_column='task'\."):
        check_columns(frame, {"text_column": "text", "label_column": "label"}, "labels.csv")


# --- NUL bytes, directories, standard input, Parquet ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_nul_byte_past_the_first_64_kib_is_refused(tmp_path, suffix):
    path = tmp_path / f"t{suffix}"
    row = '{"text": "reset the password"}\n' if suffix == ".jsonl" else "reset the password\n"
    body = ("text\n" if suffix == ".csv" else "") + row * 4000
    path.write_bytes(body.encode() + b"bad\x00row\n")
    offset, line = len(body.encode()) + 3, body.count("\n") + 1
    assert offset > 1 << 16
    with pytest.raises(TableReadError, match=rf"t\{suffix} holds a NUL byte at byte {offset} \(line {line}\)"):
        read_table(path)
    with pytest.raises(TableReadError, match="NUL byte"):
        read_table(path, encoding="latin-1")  # a given encoding is checked too


def test_a_directory_as_input_says_it_is_a_directory(tmp_path):
    (tmp_path / "tickets.csv").mkdir()
    with pytest.raises(TableReadError, match=r"input .*tickets\.csv is a directory, not a table file; give a CSV"):
        read_table(tmp_path / "tickets.csv")
    with pytest.raises(TableReadError, match="is a directory"):
        read_table(tmp_path)  # no extension: still a directory, not a format question


class _BlockOnlyStdin(io.StringIO):
    """Standard input that refuses to be read whole, recording the block sizes asked for."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.sizes: list[int] = []

    def read(self, size: int | None = -1) -> str:
        assert size is not None and size > 0, "standard input was read whole"
        self.sizes.append(size)
        return super().read(size)


def test_standard_input_is_read_in_blocks(monkeypatch):
    stdin = _BlockOnlyStdin("id,text\n" + "".join(f"{i},row {i}\n" for i in range(1000)))
    monkeypatch.setattr("sys.stdin", stdin)
    chunks = list(iter_table("-", chunk_size=300))
    assert [len(chunk) for chunk in chunks] == [300, 300, 300, 100] and chunks[3]["text"].iloc[-1] == "row 999"
    assert stdin.sizes


def test_a_nul_on_standard_input_is_refused(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("id,text\n1,ok\n2,b\x00d\n"))
    with pytest.raises(TableReadError, match=r"standard input holds a NUL character at character 16 \(line 3\)"):
        read_table("-")


def test_parquet_with_repeated_column_names_is_refused(tmp_path):
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["text", "text"]), path)
    with pytest.raises(TableReadError, match=r"t\.parquet has more than one column named 'text'; give each column"):
        read_table(path)


def test_a_parquet_file_with_no_rows_yields_its_columns(tmp_path):
    pa, pq = pytest.importorskip("pyarrow"), pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": pa.array([], pa.int64()), "text": pa.array([], pa.string())}), path)
    chunks = list(iter_table(path, chunk_size=10))
    assert len(chunks) == 1 and list(chunks[0].columns) == ["id", "text"] and len(chunks[0]) == 0


def test_cli_evaluate_never_suggests_the_label_column(tiny_bundle, tmp_path, capsys):
    path = tmp_path / "labels.csv"
    rows = "1,reset pw,commodity_outsourceable\n2,new app,business_enabling\n"
    path.write_text("id,task,label\n" + rows, encoding="utf-8")
    assert main(["evaluate", "-m", tiny_bundle, str(path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.endswith("columns are: id, task, label. Use --text-column task.\n")
