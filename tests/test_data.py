import pandas as pd
import pytest

from classifier import ColumnNotFoundError, TrainingDataError
from training.data import combine_with_default_corpus, load_labelled_data


def _write(tmp_path, rows, name="data.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    return path


def test_spellings_are_parsed(tmp_path, tiny_frame):
    frame = tiny_frame.copy()
    frame.loc[0, "label"] = "Outsource"
    path = _write(tmp_path, frame.values.tolist())
    assert load_labelled_data(path)["label"][0] == "commodity_outsourceable"


def test_unknown_label_and_empty_text_are_reported_with_rows(tmp_path, tiny_frame):
    rows = tiny_frame.values.tolist() + [["", "ktlo"], ["fix it", "perhaps"]]
    with pytest.raises(
        TrainingDataError, match=r"empty text in column 'text' at row 23.*unknown label 'perhaps' .* at row 24"
    ):
        load_labelled_data(_write(tmp_path, rows))


def test_duplicates_are_reported_or_dropped(tmp_path, tiny_frame):
    rows = tiny_frame.values.tolist() + [[tiny_frame.text[0].upper() + "  ", tiny_frame.label[0]]]
    path = _write(tmp_path, rows)
    with pytest.raises(TrainingDataError, match="duplicate text .* at row 23"):
        load_labelled_data(path)
    assert len(load_labelled_data(path, duplicates="drop")) == len(tiny_frame)


def test_conflicting_duplicates_always_fail(tmp_path, tiny_frame):
    rows = tiny_frame.values.tolist() + [[tiny_frame.text[0], "ktlo"]]
    with pytest.raises(TrainingDataError, match="same text has different labels at rows 2/23"):
        load_labelled_data(_write(tmp_path, rows), duplicates="drop")


def test_too_few_examples_of_a_class(tmp_path, tiny_frame):
    rows = [row for row in tiny_frame.values.tolist() if row[1] != "ktlo"] + [["fix batch", "ktlo"]]
    with pytest.raises(TrainingDataError, match=r"too few examples of ktlo \(1\); each label needs at least 5"):
        load_labelled_data(_write(tmp_path, rows))


def test_missing_label(tmp_path, tiny_frame):
    rows = [row for row in tiny_frame.values.tolist() if row[1] != "ktlo"]
    with pytest.raises(TrainingDataError, match="no examples of ktlo"):
        load_labelled_data(_write(tmp_path, rows))


def test_user_rows_win_over_corpus(tiny_frame):
    user = pd.DataFrame({"text": [tiny_frame.text[0]], "label": ["ktlo"], "row": [2]})
    corpus = tiny_frame.assign(row=range(2, 2 + len(tiny_frame)))
    combined = combine_with_default_corpus(user, corpus, user_weight=3)
    assert len(combined) == len(tiny_frame)
    first = combined[combined.text == tiny_frame.text[0]]
    assert first.label.tolist() == ["ktlo"] and first.weight.tolist() == [3.0]


def test_register_column_is_kept_when_present_and_blank_registers_become_missing(tmp_path, tiny_frame):
    path = tmp_path / "data.csv"
    tiny_frame.assign(register=["ticket"] * 10 + [""] * 11).to_csv(path, index=False)
    data = load_labelled_data(path)
    assert data["register"].iloc[:10].tolist() == ["ticket"] * 10 and data["register"].iloc[10:].isna().all()
    assert "register" not in load_labelled_data(path, register_column=None)


def test_a_named_register_column_must_exist(tmp_path, tiny_frame):
    path = _write(tmp_path, tiny_frame.values.tolist())
    assert "register" not in load_labelled_data(path)  # the default column is optional
    with pytest.raises(ColumnNotFoundError, match="column 'kind' not found in .*data.csv.*register_column="):
        load_labelled_data(path, register_column="kind")


def test_keep_counts_every_row_and_lists_repeats_and_conflicts(tmp_path, tiny_frame):
    rows = tiny_frame.values.tolist() + [[tiny_frame.text[0] + " ", tiny_frame.label[0]], [tiny_frame.text[1], "ktlo"]]
    data = load_labelled_data(_write(tmp_path, rows), duplicates="keep")
    assert len(data) == len(tiny_frame) + 2
    assert data.attrs["duplicates"] == [(23, 2), (24, 3)]


def test_bad_duplicates_mode_is_refused(tmp_path, tiny_frame):
    with pytest.raises(ValueError, match="duplicates must be 'error', 'drop' or 'keep', got 'skip'"):
        load_labelled_data(_write(tmp_path, tiny_frame.values.tolist()), duplicates="skip")


def test_keep_columns_carries_the_other_columns_renaming_clashes(tmp_path, tiny_frame):
    path = tmp_path / "ids.csv"
    tiny_frame.assign(ticket_id=range(100, 121), row=range(21)).to_csv(path, index=False)
    data = load_labelled_data(path, keep_columns=True)
    assert data.attrs["input_columns"] == ["ticket_id", "row_input"]
    assert data["ticket_id"].tolist() == [str(n) for n in range(100, 121)]
    assert data["row"].tolist() == list(range(2, 23))
    assert load_labelled_data(path).attrs["input_columns"] == []
