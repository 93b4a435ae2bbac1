import pytest

from classifier.errors import OutputExistsError
from classifier.staging import staged_directory


def test_a_new_directory_appears_only_when_complete(tmp_path):
    target = tmp_path / "report"
    with pytest.raises(RuntimeError, match="half way"):
        with staged_directory(target) as staging:
            (staging / "a.md").write_text("new")
            raise RuntimeError("half way")
    assert list(tmp_path.iterdir()) == []
    with staged_directory(target) as staging:
        (staging / "a.md").write_text("new")
        assert not target.exists()
    assert [path.name for path in target.iterdir()] == ["a.md"]


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_an_existing_directory_is_replaced_whole_keeping_other_entries(tmp_path, monkeypatch, exchange):
    from classifier import staging as module

    if not exchange:
        monkeypatch.setattr(module, "_exchange", lambda first, second: False)
    target = tmp_path / "report"
    (target / "sub").mkdir(parents=True)
    (target / "a.md").write_text("old")
    (target / "notes.txt").write_text("mine")
    (target / "sub" / "x").write_text("kept")
    with staged_directory(target) as staging:
        (staging / "a.md").write_text("new")
    assert (target / "a.md").read_text() == "new" and (target / "notes.txt").read_text() == "mine"
    assert (target / "sub" / "x").read_text() == "kept"
    assert [path.name for path in tmp_path.iterdir()] == ["report"]


def test_a_file_in_the_way_is_refused(tmp_path):
    (tmp_path / "report").write_text("x")
    with pytest.raises(OutputExistsError, match="output directory .*report is a file; give a directory path"):
        with staged_directory(tmp_path / "report"):
            pass


def test_a_symlinked_directory_is_replaced_behind_its_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.md").write_text("old")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    with staged_directory(tmp_path / "link") as staging:
        (staging / "a.md").write_text("new")
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real" / "a.md").read_text() == "new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link", "real"]
