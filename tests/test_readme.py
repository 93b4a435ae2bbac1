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
