"""Library messages name Python parameters; the CLI prints the same messages with its flags.

Each case raises once through the library (``pytest.raises(match=...)`` on the
parameter spelling) and once through ``main`` (exit code 2 and one stderr line
with the flag spelling).
"""

import io

import pandas as pd
import pytest

from classifier import score_file
from classifier.cli import main
from classifier.cli.errors import cli_message
from classifier.errors import ColumnNotFoundError, InvalidValueError, TableReadError, TrainingDataError
from classifier.tables import read_table
from training.data import combine_with_default_corpus, load_labelled_data
from training.tuning import tune_bundle_thresholds


def one_error_line(capsys, command: str) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"itwork {command}: error: "), err
    return err


@pytest.mark.parametrize(
    ("message", "printed"),
    [
        ("x exists; pass overwrite=True or choose another path", "x exists; pass --overwrite or choose another path"),
        ("Use text_column='description'.", "Use --text-column description."),
        ("Use text_column='task name'.", "Use --text-column 'task name'."),
        ("Use group_by=NAME with one of them.", "Use --group-by NAME with one of them."),
        ("use e.g. user_weight=2", "use e.g. --user-weight 2"),
        ("(output=DIR) then model_path=DIR", "(--output DIR) then --model DIR"),
        ("priors='auto' reads", "--priors auto reads"),
        ("first line\n  second line", "first line second line"),
        ("my_text_column='x' and text_columns=1 stay", "my_text_column='x' and text_columns=1 stay"),
    ],
)
def test_cli_message_turns_parameters_into_flags_on_one_line(message, printed):
    assert cli_message(ValueError(message)) == printed


@pytest.fixture
def cp1252_csv(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("text\nreset the caf\xe9 printer\n".encode("cp1252"))
    return path


def test_encoding_error(cp1252_csv, tiny_bundle, capsys):
    with pytest.raises(TableReadError, match=r"cannot be decoded as utf-8 at byte \d+; pass encoding=NAME"):
        read_table(cp1252_csv, encoding="utf-8")
    output = str(cp1252_csv.with_name("out.csv"))
    assert main(["score", str(cp1252_csv), "-o", output, "--encoding", "utf-8", "-m", tiny_bundle]) == 2
    assert "; pass --encoding NAME" in one_error_line(capsys, "score")


def test_encoding_warning(cp1252_csv, tiny_bundle, capsys):
    with pytest.warns(UserWarning, match="reading it as cp1252/latin-1. Pass encoding=NAME if that is wrong"):
        read_table(cp1252_csv)
    assert main(["score", str(cp1252_csv), "-o", str(cp1252_csv.with_name("out.csv")), "-q", "-m", tiny_bundle]) == 0
    assert "itwork: warning: " in (err := capsys.readouterr().err)
    assert "Pass --encoding NAME if that is wrong" in err


def test_prefix_clash(tmp_path, tiny_bundle, capsys):
    source = tmp_path / "scored.csv"
    pd.DataFrame({"text": ["reset my password"], "label": ["ktlo"]}).to_csv(source, index=False)
    # the library's side: tests/test_scoring.py (match "use prefix='pred_'")
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle]) == 2
    assert "use --prefix pred_ to name the new columns differently" in one_error_line(capsys, "score")


def test_priors_auto_on_standard_input(fitted_model, tiny_bundle, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("text\nreset my password\n"))
    with pytest.raises(InvalidValueError, match="priors='auto' reads the input twice and cannot read standard input"):
        score_file("-", "-", model=fitted_model, priors="auto")
    assert main(["score", "-", "-o", "-", "--priors", "auto", "-m", tiny_bundle]) == 2
    assert "error: --priors auto reads the input twice" in one_error_line(capsys, "score")


def test_duplicates(tmp_path, capsys):
    path = tmp_path / "dups.csv"
    pd.DataFrame({"text": ["patch the app", "patch the app"], "label": ["ktlo", "ktlo"]}).to_csv(path, index=False)
    with pytest.raises(TrainingDataError, match=r"duplicate text .* \(delete them, or use drop_duplicates=True\)"):
        load_labelled_data(path)
    assert main(["train", str(path), "-o", str(tmp_path / "m")]) == 2
    assert "(delete them, or use --drop-duplicates)" in one_error_line(capsys, "train")


def test_missing_label(tmp_path, capsys):
    path = tmp_path / "two_labels.csv"
    pd.DataFrame({"text": ["patch the app", "reset my password"], "label": ["ktlo", "commodity"]}).to_csv(
        path, index=False
    )
    with pytest.raises(TrainingDataError, match="no examples of business_enabling.*with_default_corpus=True"):
        load_labelled_data(path)
    assert main(["train", str(path), "-o", str(tmp_path / "m")]) == 2
    assert "Add some, or train with --with-default-corpus" in one_error_line(capsys, "train")


def test_too_few_examples(tmp_path, capsys):
    path = tmp_path / "few.csv"
    rows = [("patch the app", "ktlo"), ("reset my password", "commodity"), ("build a new app", "business_enabling")]
    pd.DataFrame(rows, columns=["text", "label"]).to_csv(path, index=False)
    with pytest.raises(TrainingDataError, match="too few examples.*or train with with_default_corpus=True"):
        load_labelled_data(path)
    assert main(["train", str(path), "-o", str(tmp_path / "m")]) == 2
    assert "Add examples or train with --with-default-corpus" in one_error_line(capsys, "train")


def test_user_weight(tiny_csv, tiny_frame, tmp_path, capsys):
    with pytest.raises(TrainingDataError, match="user weight must be positive, got 0; use e.g. user_weight=2"):
        combine_with_default_corpus(tiny_frame, tiny_frame, user_weight=0)
    arguments = ["train", str(tiny_csv), "-o", str(tmp_path / "m"), "--with-default-corpus", "--user-weight", "0"]
    assert main(arguments) == 2
    assert "use e.g. --user-weight 2" in one_error_line(capsys, "train")


def test_register_column(tiny_csv, tmp_path, capsys):
    with pytest.raises(ColumnNotFoundError, match="column 'kind' not found.* Use register_column=NAME"):
        load_labelled_data(tiny_csv, register_column="kind")
    assert main(["train", str(tiny_csv), "-o", str(tmp_path / "m"), "--register-column", "kind"]) == 2
    assert "column 'kind' not found" in (err := one_error_line(capsys, "train"))
    assert "Use --register-column NAME with one of them." in err


def test_tuning_the_shipped_model_needs_an_output(tiny_csv, capsys):
    with pytest.raises(InvalidValueError, match=r"\(output=DIR\) for the tuned copy, then use it with model_path=DIR"):
        tune_bundle_thresholds(None, tiny_csv, 0.9)
    assert main(["tune-threshold", str(tiny_csv)]) == 2
    assert "(--output DIR) for the tuned copy, then use it with --model DIR" in one_error_line(capsys, "tune-threshold")


def test_group_by_column(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "tasks.csv"
    pd.DataFrame({"text": ["reset my password"]}).to_csv(source, index=False)
    # the library's side: tests/test_portfolio.py (match "Use group_by=NAME with one")
    assert main(["portfolio", str(source), "--group-by", "squad", "-m", tiny_bundle]) == 2
    assert "column 'squad' not found" in (err := one_error_line(capsys, "portfolio"))
    assert "Use --group-by NAME with one of them." in err
