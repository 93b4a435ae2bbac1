"""The ``itwork`` command line, in process: ``main([...])``, its exit code and what it printed.

Commands run on the tiny model saved once per session (``tiny_bundle``); the
shipped model's CLI output is pinned in test_shipped_model.py.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from classifier.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


def test_predict_prints_a_table_with_a_header_and_one_row_per_text(tiny_bundle, capsys):
    assert main(["predict", "-m", tiny_bundle, "Reset the VPN password", "Patch our in-house claims application"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split("  ")[0] == "label" and re.split(r"\s{2,}", lines[0]) == [
        "label",
        "conf",
        "status",
        "best guess",
        "top terms",
        "text",
    ]
    rows = [re.split(r"\s{2,}", line) for line in lines[1:]]
    assert [(row[0], row[-1]) for row in rows] == [
        ("commodity_outsourceable", "Reset the VPN password"),
        ("ktlo", "Patch our in-house claims application"),
    ]
    assert all(0 <= float(row[1]) <= 1 and row[2] in ("ok", "review") and row[3] == "-" for row in rows)


@pytest.mark.parametrize(
    ("text", "status", "guess"),
    [
        ("Hi there, thanks!", "out of scope", r"commodity_outsourceable 0\.\d\d"),
        ("", "no text", "-"),
        ("  ", "no text", "-"),
    ],
    ids=["out-of-scope", "empty", "blank"],
)
def test_predict_gives_no_label_to_out_of_scope_or_blank_text(tiny_bundle, capsys, text, status, guess):
    assert main(["predict", "-m", tiny_bundle, text]) == 0
    row = re.split(r"\s{2,}", capsys.readouterr().out.splitlines()[1])
    assert row[:3] == ["-", "-", status] and re.fullmatch(guess, row[3])


def test_predict_json(tiny_bundle, capsys):
    assert main(["predict", "--model", tiny_bundle, "--json", "Patch our in-house claims application", ""]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [item["has_text"] for item in result] == [True, False]


def test_missing_model_directory_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["predict", "-m", str(tmp_path / "nowhere"), "reset my password"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("itwork predict: error: model directory ")


def test_score_writes_output_and_prints_shares(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1, 2], "task": ["reset my password", "build a customer app feature"]}).to_csv(
        source, index=False
    )
    arguments = ["score", str(source), "-o", str(tmp_path / "out.csv"), "--text-column", "task"]
    assert main([*arguments, "-m", tiny_bundle]) == 0
    out = capsys.readouterr().out
    assert "scored 2 of 2 rows" in out and "business_enabling" in out
    assert len(pd.read_csv(tmp_path / "out.csv")) == 2


def test_score_bad_column_is_one_line_and_exit_2(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"id": [1], "description": ["patch the claims app"]}).to_csv(source, index=False)
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "column 'text' not found" in err and "Use --text-column description." in err


def test_score_refuses_existing_output_without_overwrite(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["reset my password"]}).to_csv(source, index=False)
    (tmp_path / "out.csv").write_text("old")
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle]) == 2
    assert "already exists; pass --overwrite or choose another path" in capsys.readouterr().err
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "--overwrite", "-q", "-m", tiny_bundle]) == 0
    assert "label" in (tmp_path / "out.csv").read_text()


def test_train_then_evaluate_with_model_option_and_legacy_positional(tiny_csv, tmp_path, capsys):
    model = str(tmp_path / "m")
    assert main(["train", str(tiny_csv), "-o", model, "--folds", "2"]) == 0
    assert "macro-F1" in capsys.readouterr().out
    assert main(["train", str(tiny_csv), "-o", model, "--folds", "2"]) == 2
    assert "already exists; pass --overwrite or choose another path" in capsys.readouterr().err
    assert main(["evaluate", "--model", model, str(tiny_csv), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 21
    assert main(["evaluate", model, str(tiny_csv)]) == 0  # the spelling before --model
    assert capsys.readouterr().out.startswith("21 examples: accuracy ")
    assert main(["evaluate", "-m", model, str(tmp_path), str(tiny_csv)]) == 2
    assert "two models given" in capsys.readouterr().err


def test_train_one_fold_is_one_line_naming_the_fix_and_exit_2(tiny_csv, tmp_path, capsys):
    # scikit-learn's own ValueError (n_splits=1), in CLI terms
    assert main(["train", str(tiny_csv), "-o", str(tmp_path / "m"), "--folds", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("itwork train: error: ")
    assert "cross-validation needs --folds 2 or more, got --folds 1" in err
    assert not (tmp_path / "m").exists()


def test_train_bad_label_is_exit_2_with_row(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"text": ["a task", "b task"], "label": ["ktlo", "sometimes"]}).to_csv(path, index=False)
    assert main(["train", str(path), "-o", str(tmp_path / "m")]) == 2
    assert "unknown label 'sometimes' in column 'label' at row 3" in capsys.readouterr().err


def test_a_bug_is_not_turned_into_an_error_line(tiny_bundle, tmp_path, monkeypatch):
    import classifier.scoring as scoring

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(scoring, "score_file", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["score", str(tmp_path / "in.csv"), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle])


COMMANDS = ["predict", "score", "job", "portfolio", "train", "evaluate", "audit", "tune-threshold"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: itwork {command}" in capsys.readouterr().out


def test_shared_options_are_spelled_the_same_in_every_command():
    subparsers = build_parser()._subparsers._group_actions[0].choices
    assert sorted(subparsers) == sorted(COMMANDS)  # the training commands come from the entry point

    def options(command: str) -> dict[str, tuple]:
        return {a.dest: (tuple(a.option_strings), a.default) for a in subparsers[command]._actions}

    for command in ("predict", "score", "job", "portfolio", "evaluate", "tune-threshold"):
        assert options(command)["model"] == (("-m", "--model"), "default"), command
    for command in ("score", "portfolio", "train", "evaluate", "audit", "tune-threshold"):
        assert options(command)["text_column"] == (("--text-column",), "text"), command
    for command in ("score", "portfolio", "train", "evaluate", "audit"):
        assert options(command)["overwrite"] == (("--overwrite",), False), command


def test_library_imports_no_training_module():
    code = (
        "import sys, classifier, classifier.cli\n"
        "classifier.cli.build_parser(commands=[])\n"
        "bad = sorted(m for m in sys.modules if m == 'training' or m.startswith('training.'))\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)


def test_python_m_training_is_itwork_train(capsys):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "training", "--help"], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert done.returncode == 0 and done.stdout.startswith("usage: itwork train")


def test_sigterm_mid_file_leaves_no_output(tiny_bundle, tmp_path):
    import signal
    import time

    source = tmp_path / "big.csv"
    pd.DataFrame({"text": [f"reset password for user {i} and check laptop dock" for i in range(300_000)]}).to_csv(
        source, index=False
    )
    output = tmp_path / "out.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "classifier", "score", str(source), "-o", str(output), "--chunk-size", "2000"]
        + ["-m", tiny_bundle],
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.time() + 120
    while not any(p.name.endswith(".partial.csv") for p in tmp_path.iterdir()) and time.time() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "scoring finished before it could be interrupted"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    assert "interrupted; no output was written" in process.stderr.read().decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]


def test_keyboard_interrupt_leaves_no_output(tiny_bundle, tmp_path, monkeypatch, capsys):
    import classifier.scoring as scoring

    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["reset my password"] * 10}).to_csv(source, index=False)
    (tmp_path / "out.csv").write_text("earlier result")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scoring, "_score_rows", interrupted)
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "--overwrite", "-m", tiny_bundle]) == 130
    assert (tmp_path / "out.csv").read_text() == "earlier result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_score_stdin_to_stdout(tiny_bundle, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("id,text\n1,reset my password\n2,\n"))
    assert main(["score", "-", "-o", "-", "-m", tiny_bundle]) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    header = "id,text,label,confidence,needs_review,in_scope,p_ktlo,p_commodity_outsourceable,p_business_enabling"
    assert lines[0] == header
    assert lines[1].startswith("1,reset my password,commodity_outsourceable,") and lines[2].startswith("2,,,")
    assert "scored 1 of 2 rows" in captured.err


JOB_AD = "Responsibilities:\n- Build the customer booking app\n- Reset user passwords\nRequirements:\n- 5 years of SQL"


def test_job_prints_activities_mix_and_set_aside_count(tiny_bundle, tmp_path, capsys):
    path = tmp_path / "ad.txt"
    path.write_text(JOB_AD, encoding="utf-8")
    assert main(["job", str(path), "-m", tiny_bundle]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["line", "label", "conf", "activity"]
    assert lines[1].split()[:2] == ["2", "business_enabling"] and lines[1].endswith("Build the customer booking app")
    assert lines[2].split()[:2] == ["3", "commodity_outsourceable"]
    assert "business_enabling 50%" in out and "invest and grow" in out
    assert "most confident first):\n  1. Build the customer booking app\n" in out
    assert "set aside as no activity: 3 piece(s) (heading 2, requirement 1):" in out
    assert lines[-3:] == [
        "   1  heading      Responsibilities:",
        "   4  heading      Requirements:",
        "   5  requirement  5 years of SQL",
    ]


def test_job_takes_text_and_prints_json(tiny_bundle, capsys):
    assert main(["job", "--json", "Patch the in-house claims system; rotate the backup tapes", "-m", tiny_bundle]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [a["text"] for a in result["activities"]] == ["Patch the in-house claims system", "rotate the backup tapes"]
    assert sum(result["mix"].values()) == pytest.approx(1) and result["set_aside"] == []


def test_job_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["job", str(tmp_path / "missing_ad.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("itwork job: error: file ") and "not found" in err


def test_job_reads_a_work_log_table_and_shares_each_rows_hours_among_its_activities(tiny_bundle, tmp_path, capsys):
    path = tmp_path / "log.csv"
    rows = {
        "entry": ["Patched the claims system, reset passwords and built the returns app", "Duties:"],
        "hours": [6, 1],
    }
    pd.DataFrame(rows).to_csv(path, index=False)
    assert main(["job", str(path), "-m", tiny_bundle, "--text-column", "entry", "--hours-column", "hours"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["line", "label", "conf", "hours", "activity"]
    assert [line.split()[3] for line in lines[1:4]] == ["2", "2", "2"]
    assert lines[3].endswith("built the returns app") and "(shares of hours)" in lines[5]
    assert lines[-1] == "   3  heading  Duties:"
    assert main(["job", str(path), "-m", tiny_bundle, "--text-column", "entry", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [a["weight"] for a in result["activities"]] == [1.0, 1.0, 1.0] and result["measure"] == "activities"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--weights-column", "minutes"], r"column 'minutes' not found in .*log\.csv.*Use --weights-column NAME"),
        (["--weights-column", "hours"], r"hours column 'hours' in .*log\.csv must hold numbers >= 0.*row 2 has 'lots'"),
    ],
    ids=["missing-column", "bad-hours"],
)
def test_job_table_errors_are_one_line_and_exit_2(tiny_bundle, tmp_path, capsys, options, message):
    path = tmp_path / "log.csv"
    pd.DataFrame({"text": ["Patched the claims system"], "hours": ["lots"]}).to_csv(path, index=False)
    assert main(["job", str(path), "-m", tiny_bundle, *options]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(message, err)


def timesheet_csv(tmp_path, hours=("1", "2", "3")):
    path = tmp_path / "sheet.csv"
    pd.DataFrame(
        {
            "team": ["desk", "desk", "apps"],
            "task": ["Reset user passwords", "Replace the broken laptop screen", "Build the customer booking app"],
            "hours": list(hours),
        }
    ).to_csv(path, index=False)
    return path


def test_portfolio_writes_rows_and_report(tiny_bundle, tmp_path, capsys):
    source = timesheet_csv(tmp_path)
    arguments = ["portfolio", str(source), "--text-column", "task", "--hours-column", "hours", "--group-by", "team"]
    arguments += ["--report", str(tmp_path / "report"), "-o", str(tmp_path / "rows.csv"), "-m", tiny_bundle]
    assert main(arguments) == 0
    out = capsys.readouterr().out
    assert "labelled 3 of 3 rows (0 with blank text left unscored); share of hours:" in out
    assert re.search(r"commodity_outsourceable\s+50\.0%\s+\(3 hours\)", out)
    assert re.search(r"apps\s+3\s+0\.0%\s+0\.0%\s+100\.0%", out)
    rows = pd.read_csv(tmp_path / "rows.csv")
    assert rows.columns.tolist()[:3] == ["team", "task", "hours"] and rows["label"].notna().all()
    names = sorted(path.name for path in (tmp_path / "report").iterdir())
    assert names == ["mix_by_team.png", "report.html", "report.md"]
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "https://" not in page
    assert main(arguments) == 2
    assert "already exists; pass --overwrite or choose another path" in capsys.readouterr().err
    assert main([*arguments, "--overwrite"]) == 0


def test_portfolio_bad_hours_is_one_line_and_exit_2(tiny_bundle, tmp_path, capsys):
    source = timesheet_csv(tmp_path, hours=("1", "two", "3"))
    assert main(["portfolio", str(source), "--text-column", "task", "--hours-column", "hours", "-m", tiny_bundle]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "hours column 'hours' in " in err and "row 3 has 'two'" in err


def test_portfolio_bad_column_is_exit_2(tiny_bundle, tmp_path, capsys):
    source = timesheet_csv(tmp_path)
    assert main(["portfolio", str(source), "--text-column", "task", "--group-by", "squad", "-m", tiny_bundle]) == 2
    assert "column 'squad' not found" in capsys.readouterr().err


def test_score_jobs_gives_the_same_output_and_quiet_silences_everything(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["reset my password", "build a customer app feature", ""] * 20}).to_csv(source, index=False)
    one = ["score", str(source), "-o", str(tmp_path / "one.csv"), "-j", "1", "--chunk-size", "7", "-m", tiny_bundle]
    assert main(one) == 0
    capsys.readouterr()
    two = ["score", str(source), "-o", str(tmp_path / "two.csv"), "--jobs", "2", "--chunk-size", "7", "-q"]
    assert main([*two, "-m", tiny_bundle]) == 0
    assert capsys.readouterr() == ("", "")
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_score_jobs_zero_is_exit_2(tmp_path, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["reset my password"]}).to_csv(source, index=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["score", str(source), "-o", str(tmp_path / "out.csv"), "-j", "0"])
    assert exit_info.value.code == 2
    assert "--jobs must not be 0; use 1 for one process or -1 for all cores" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


HEAVY_MODULES = ("sklearn", "spacy", "skops", "onnxruntime", "scipy", "pandas", "matplotlib")


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["train", "--help"], ["score"], ["predict", "--jobs"]],
    ids=["help", "train-help", "missing-argument", "unknown-option"],
)
def test_help_and_argument_errors_import_no_heavy_library(argv):
    # `itwork --help` took 8 s when every command imported scikit-learn, spaCy and skops (issue 16).
    code = (
        "import sys\n"
        "from classifier.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted({{m.partition('.')[0] for m in sys.modules}} & {set(HEAVY_MODULES)!r}), file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert "usage: itwork" in done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_package_names_are_imported_on_first_use():
    import classifier

    assert set(classifier._EXPORTS) == set(classifier.__all__) - {"__version__"}
    assert set(classifier.__all__) <= set(dir(classifier))
    assert classifier.load_model.__module__ == "classifier.persistence"
    with pytest.raises(AttributeError, match="module 'classifier' has no attribute 'nothing'"):
        classifier.nothing  # noqa: B018


def _kill_own_process(state, item):
    os.kill(os.getpid(), 9)  # SIGKILL, as the out-of-memory killer does


def test_a_killed_worker_is_one_line_suggesting_fewer_jobs_and_exit_2(tiny_bundle, tmp_path, monkeypatch, capsys):
    import classifier.parallel as parallel

    real_map = parallel.ordered_map
    monkeypatch.setattr(
        parallel,
        "ordered_map",
        lambda function, state, items, n_workers: real_map(_kill_own_process, state, items, n_workers=2),
    )
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["reset my password"] * 10}).to_csv(source, index=False)
    assert main(["score", str(source), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle, "--jobs", "2"]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"itwork score: error: a worker process died \(most likely killed by the system for lack of memory; exit "
        r".*SIGKILL.*\)\. Use fewer workers \(--jobs 1\) or smaller pieces \(a smaller --chunk-size\)\n",
        err,
    ), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


@pytest.mark.parametrize(
    "command",
    [["score", "{rows}", "-o", "-", "-q"], ["predict", "reset my password"], ["evaluate", "{labelled}"]],
    ids=["score-to-stdout", "predict", "evaluate"],
)
def test_a_closed_pipe_ends_quietly_with_exit_141(command, tiny_bundle, tiny_csv, tmp_path):
    # `itwork score big.csv -o - | head -2`: the reader goes away; like other Unix tools, stop without a traceback
    # and exit 141 (128 + SIGPIPE, what a shell reports for a command killed by SIGPIPE).
    rows = tmp_path / "rows.csv"
    pd.DataFrame({"text": ["reset my password"] * 50}).to_csv(rows, index=False)
    argv = [part.format(rows=rows, labelled=tiny_csv) for part in command]
    process = subprocess.Popen(
        [sys.executable, "-m", "classifier", *argv, "-m", tiny_bundle],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    process.stdout.close()  # the reader is gone before the first line is written
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141, err
    assert err == ""


def test_max_text_chars_cuts_long_texts_with_one_warning_line(tiny_bundle, tmp_path, capsys):
    source = tmp_path / "in.csv"
    pd.DataFrame({"text": ["Reset the password and unlock the account"] * 2 + ["VPN down"]}).to_csv(source, index=False)
    argv = ["score", str(source), "-o", str(tmp_path / "out.csv"), "-m", tiny_bundle, "--max-text-chars", "10", "-q"]
    assert main(argv) == 0
    assert capsys.readouterr().err == (
        "itwork: warning: 2 of 3 texts are longer than --max-text-chars 10 characters; only the first 10 characters "
        "of each were read. Set --max-text-chars higher to read more\n"
    )
    with pytest.raises(SystemExit):
        main(["predict", "--max-text-chars", "0", "text"])
    assert "expected a whole number of 1 or more, got '0'" in capsys.readouterr().err
