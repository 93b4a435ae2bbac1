"""The README's "Jobs and teams" examples run as shown, from a copy of the examples folder.

The printed output in the README comes from the shipped model: after the
default model is retrained, rerun the commands and paste their output (the
failure message below shows it).
"""

import re
import shlex
import shutil
from pathlib import Path

import pytest

from classifier.cli import main

ROOT = Path(__file__).resolve().parent.parent


def section(title: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert match, f"README has no section {title!r}"
    return match.group(1)


def blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^```(\w+)\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_jobs_and_teams_commands_print_what_the_readme_shows(checkout, capsys):
    found = blocks(section("Jobs and teams"))
    commands = [(body, found[i + 1][1]) for i, (kind, body) in enumerate(found) if kind == "bash"]
    assert len(commands) == 2
    for command, shown in commands:
        arguments = shlex.split(command.strip())
        assert arguments[0] == "itwork"
        assert main(arguments[1:]) == 0
        printed = capsys.readouterr().out
        assert printed.rstrip() == shown.rstrip(), f"README output is stale for {command.strip()}; now:\n{printed}"
    assert (checkout / "team_report" / "report.html").is_file() and (checkout / "team_rows.csv").is_file()


def test_jobs_and_teams_python_example_runs(checkout, capsys):
    (code,) = [body for kind, body in blocks(section("Jobs and teams")) if kind == "python"]
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert printed.startswith("business_enabling {'ktlo': 0.2")
    assert (checkout / "team_report" / "mix_by_team.png").is_file()


# --- "Retraining on your own data" and "Evaluation": every command runs as written from the clone -------------

SHARED = ROOT.parent / "shared" / "data"
TRAINING_SECTIONS = ("Retraining on your own data", "Evaluation")


def commands(title: str) -> list[tuple[str, str | None]]:
    """Each command line of a section's bash blocks, with the output shown in the text block right after (or None)."""
    found = blocks(section(title))
    listed = []
    for index, (kind, body) in enumerate(found):
        if kind != "bash":
            continue
        lines = [line for line in body.splitlines() if line.strip()]
        shown = found[index + 1][1] if index + 1 < len(found) and found[index + 1][0] == "text" else None
        listed += [(line, shown if line == lines[-1] else None) for line in lines]
    return listed


def _is_slow(command: str) -> bool:
    """Training and the benchmark take minutes; the rest load a model and score a few rows."""
    return command.startswith("itwork train") or "--with-default-corpus" in command or command.startswith("python")


TRAINING_COMMANDS = [command for title in TRAINING_SECTIONS for command in commands(title)]


def test_the_training_sections_list_every_training_command():
    names = {shlex.split(command)[1] for command, _ in TRAINING_COMMANDS if command.startswith("itwork")}
    assert names == {"train", "evaluate", "audit", "tune-threshold", "predict"}
    assert all(command.startswith(("itwork ", "python ")) for command, _ in TRAINING_COMMANDS)


def _run(command: str, shown: str | None, capsys) -> None:
    arguments = shlex.split(command, comments=True)
    if arguments[0] == "python":
        if not SHARED.is_dir():
            pytest.skip(f"{command} needs ../shared/data beside the checkout")
        import subprocess
        import sys

        done = subprocess.run([sys.executable, *arguments[1:]], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        return
    assert main(arguments[1:]) == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    if shown is not None:
        assert printed.rstrip() == shown.rstrip(), f"README output is stale for {command}; now:\n{printed}"


@pytest.mark.parametrize(
    ("command", "shown"),
    [c for c in TRAINING_COMMANDS if not _is_slow(c[0])],
    ids=[c[0][:70] for c in TRAINING_COMMANDS if not _is_slow(c[0])],
)
def test_training_section_command_runs_as_written(checkout, capsys, command, shown):
    _run(command, shown, capsys)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "shown"),
    [c for c in TRAINING_COMMANDS if _is_slow(c[0])],
    ids=[c[0][:70] for c in TRAINING_COMMANDS if _is_slow(c[0])],
)
def test_slow_training_section_command_runs_as_written(checkout, capsys, command, shown):
    _run(command, shown, capsys)
