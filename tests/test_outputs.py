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
