import pytest

from classifier.errors import OutputExistsError
from classifier.outputs import check_output_target, check_output_targets


def test_a_new_target_passes_and_comes_back_as_a_path(tmp_path):
    assert check_output_target(str(tmp_path / "new.csv")) == tmp_path / "new.csv"
    assert check_output_target(tmp_path / "new" / "model", what="model directory", directory=True).name == "model"


def test_an_existing_target_needs_overwrite(tmp_path):
    (tmp_path / "scored.csv").write_text("earlier")
    with pytest.raises(OutputExistsError, match="output .*scored.csv already exists; pass overwrite=True or choose"):
        check_output_target(tmp_path / "scored.csv")
    assert check_output_target(tmp_path / "scored.csv", overwrite=True) == tmp_path / "scored.csv"


def test_messages_speak_python_not_cli_flags(tmp_path):
    with pytest.raises(OutputExistsError) as caught:
        check_output_target(tmp_path, what="model directory", directory=True)
    message = str(caught.value)
    assert message.startswith(f"model directory {tmp_path} already exists") and "--" not in message
    assert message.endswith("pass overwrite=True or choose another path")


def test_a_file_where_a_directory_goes_is_refused_even_with_overwrite(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputExistsError, match="model directory .*file is a file; give a directory path"):
        check_output_target(tmp_path / "file", overwrite=True, what="model directory", directory=True)
    with pytest.raises(OutputExistsError, match="report output directory .*file is a file"):
        check_output_targets(
            [tmp_path / "file" / "report.md"], overwrite=True, what="report output", folder=tmp_path / "file"
        )


def test_several_targets_are_checked_together_and_all_named(tmp_path):
    for name in ("a.md", "b.html"):
        (tmp_path / name).write_text("old")
    targets = [tmp_path / "a.md", tmp_path / "b.html", tmp_path / "c.png"]
    with pytest.raises(OutputExistsError, match=r"a\.md, .*b\.html already exists"):
        check_output_targets(targets, what="report output", folder=tmp_path)
    assert check_output_targets(targets, overwrite=True, folder=tmp_path) == targets


# --- the atomic writer: mode, exclusive claim, write errors -------------------------------------------------------

import errno  # noqa: E402
import os  # noqa: E402
import stat  # noqa: E402

import pandas as pd  # noqa: E402

from classifier.cli import main  # noqa: E402
from classifier.errors import OutputWriteError  # noqa: E402
from classifier.outputs import atomic_output, new_file_mode  # noqa: E402
from classifier.tables import write_table  # noqa: E402


@pytest.fixture
def umask():
    """Set the process umask for one test, and restore it."""
    previous = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(previous)


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)], ids=["022", "002", "077"])
def test_outputs_get_the_mode_open_would_give_them(tmp_path, umask, mask, mode):
    umask(mask)
    assert new_file_mode() == mode
    write_table(pd.DataFrame({"text": ["a"]}), tmp_path / "out.csv")
    assert stat.S_IMODE((tmp_path / "out.csv").stat().st_mode) == mode


def test_of_two_runs_writing_a_new_path_only_one_succeeds(tmp_path):
    target = tmp_path / "o.csv"
    with pytest.raises(OutputExistsError, match=r"output .*o\.csv already exists; pass overwrite=True"):
        with atomic_output(target) as temporary:
            temporary.write_text("second run")
            target.write_text("first run")  # the other run finished first
    assert target.read_text() == "first run" and [p.name for p in tmp_path.iterdir()] == ["o.csv"]


def test_without_hard_links_the_claim_is_still_exclusive(tmp_path, monkeypatch):
    def no_links(*args):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    with atomic_output(tmp_path / "a.csv") as temporary:
        temporary.write_text("mine")
    assert (tmp_path / "a.csv").read_text() == "mine"
    with pytest.raises(OutputExistsError, match="already exists"):
        with atomic_output(tmp_path / "b.csv") as temporary:
            (tmp_path / "b.csv").write_text("theirs")
    assert (tmp_path / "b.csv").read_text() == "theirs" and sorted(p.name for p in tmp_path.iterdir()) == [
        "a.csv",
        "b.csv",
    ]


WRITE_ERRORS = {
    "disk full": (OSError(errno.ENOSPC, "No space left on device"), "No space left on device; free some disk space"),
    "read-only": (OSError(errno.EROFS, "Read-only file system"), "Read-only file system; choose a directory you can"),
    "pyarrow style": (OSError("Error writing bytes to file. Detail: [errno 28] No space left on device"), "No space"),
}


@pytest.mark.parametrize("raised,message", WRITE_ERRORS.values(), ids=WRITE_ERRORS.keys())
def test_write_errors_name_the_output_and_leave_nothing(tmp_path, raised, message):
    (tmp_path / "o.csv").write_text("earlier")
    with pytest.raises(OutputWriteError, match=rf"cannot write output .*o\.csv: {message}"):
        with atomic_output(tmp_path / "o.csv", overwrite=True):
            raise raised
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"] and (tmp_path / "o.csv").read_text() == "earlier"


def test_a_read_only_directory_is_named_before_anything_is_written(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".o.csv.x.partial.csv"))

    monkeypatch.setattr("tempfile.mkstemp", read_only)
    with pytest.raises(OutputWriteError, match=r"cannot write output .*o\.csv: Read-only file system; choose"):
        with atomic_output(tmp_path / "o.csv"):
            pytest.fail("the block ran")


def test_other_errors_in_the_block_pass_through(tmp_path):
    with pytest.raises(FileNotFoundError):
        with atomic_output(tmp_path / "o.csv"):
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", "input.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_directory_as_output_file_is_refused_even_with_overwrite(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(OutputExistsError, match=r"output .*out\.csv is a directory; give a file path"):
        check_output_target(tmp_path / "out.csv", overwrite=True)


@pytest.mark.parametrize("case", ["disk full", "directory", "read-only"])
def test_cli_write_failures_are_one_line_naming_the_path_and_exit_2(tiny_bundle, tmp_path, monkeypatch, capsys, case):
    source = tmp_path / "in.csv"
    source.write_text("text\nreset my password\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    if case == "directory":
        output.mkdir()
        expected = f"output {output} is a directory; give a file path"
    elif case == "disk full":
        monkeypatch.setattr(
            pd.DataFrame, "to_csv", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left"))
        )
        expected = f"cannot write output {output}: No space left on device; free some disk space"
    else:
        monkeypatch.setattr("tempfile.mkstemp", lambda *a, **k: (_ for _ in ()).throw(PermissionError(errno.EROFS, "")))
        expected = f"cannot write output {output}: Read-only file system; choose a directory you can write to"
    assert main(["score", str(source), "-o", str(output), "-m", tiny_bundle, "-q", "--overwrite"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and expected in error
