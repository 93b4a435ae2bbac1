import json
import os

import numpy as np
import pytest
import skops.io as sio

from classifier import ModelLoadError, OutputExistsError, load_model, save_model
from classifier.persistence import default_model_path, file_sha256


def test_round_trip_gives_identical_predictions(fitted_model, tmp_path, tiny_frame):
    path = save_model(fitted_model, tmp_path / "bundle")
    loaded = load_model(path)
    texts = tiny_frame["text"].tolist()
    np.testing.assert_array_equal(loaded.predict_proba(texts), fitted_model.predict_proba(texts))
    assert list(loaded.classes_) == list(fitted_model.classes_)
    card = json.loads((path / "card.json").read_text())
    assert set(card["files"]) == {"model.skops", "config.json", "MODEL_CARD.md"}
    assert (path / "MODEL_CARD.md").read_text().startswith("# Model card")


def test_existing_bundle_is_not_replaced_without_overwrite(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    with pytest.raises(OutputExistsError, match="already exists"):
        save_model(fitted_model, path)
    save_model(fitted_model, path, overwrite=True)
    assert load_model(path) is not None
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def test_tampered_model_file_is_refused(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    with open(path / "model.skops", "ab") as handle:
        handle.write(b"x")
    with pytest.raises(ModelLoadError, match="does not match its SHA-256 in card.json"):
        load_model(path)


def test_truncated_model_file_is_refused(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    data = (path / "model.skops").read_bytes()
    (path / "model.skops").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="SHA-256"):
        load_model(path)


@pytest.mark.parametrize("missing", ["card.json", "config.json", "model.skops"])
def test_incomplete_bundle_is_refused(fitted_model, tmp_path, missing):
    path = save_model(fitted_model, tmp_path / "bundle")
    (path / missing).unlink()
    with pytest.raises(ModelLoadError, match=f"not a model bundle: {missing} is missing"):
        load_model(path)


def test_missing_directory_is_refused(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        load_model(tmp_path / "nope")


class _Payload:
    """Stands for a crafted object; loading it must never construct it."""

    def __setstate__(self, state):  # pragma: no cover - must never run
        (self.marker_path).write_text("code ran")


def test_model_file_needing_untrusted_types_is_refused_before_anything_runs(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    marker = tmp_path / "marker"
    payload = _Payload()
    payload.marker_path = marker
    sio.dump({"pipeline": fitted_model.pipeline_, "payload": payload, "call": os.system}, path / "model.skops")
    card = json.loads((path / "card.json").read_text())
    card["files"]["model.skops"] = file_sha256(path / "model.skops")  # a forger can fix the checksum too
    (path / "card.json").write_text(json.dumps(card))
    with pytest.raises(ModelLoadError, match="refusing to load .* not trusted"):
        load_model(path)
    assert not marker.exists()


def _edit_config_keeping_checksums(path, edit):
    config = json.loads((path / "config.json").read_text())
    edit(config)
    (path / "config.json").write_text(json.dumps(config))
    card = json.loads((path / "card.json").read_text())
    card["files"]["config.json"] = file_sha256(path / "config.json")
    (path / "card.json").write_text(json.dumps(card))


def test_foreign_format_is_refused(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    _edit_config_keeping_checksums(path, lambda config: config.update(format_version=99))
    with pytest.raises(ModelLoadError, match="format 99"):
        load_model(path)


def test_other_major_library_version_is_refused(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    _edit_config_keeping_checksums(path, lambda config: config["versions"].update({"scikit-learn": "0.24.2"}))
    with pytest.raises(ModelLoadError, match="written with scikit-learn 0.24.2 but .* is installed"):
        load_model(path)


def test_default_model_is_shipped_with_a_card():
    card = json.loads((default_model_path() / "card.json").read_text())
    assert card["cross_validation"]["metrics"]["macro_f1"] > 0.5
    assert card["training_data"]["sources"][0]["path"] == "training/data/corpus.csv"


def test_interrupted_save_keeps_the_earlier_bundle_whole(fitted_model, tmp_path, monkeypatch):
    path = save_model(fitted_model, tmp_path / "bundle")
    before = {p.name: p.read_bytes() for p in path.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sio, "dump", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(fitted_model, path, overwrite=True)
    assert {p.name: p.read_bytes() for p in path.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def test_thresholds_calibration_and_scope_survive_a_round_trip(tmp_path, default_model):
    path = save_model(default_model, tmp_path / "copy")
    loaded = load_model(path)
    assert loaded.review_thresholds() == default_model.review_thresholds()
    assert loaded.calibration_method_ == default_model.calibration_method_
    texts = ["Bake bread for the staff party", "printer jammed", "Design the new partner API"]
    first, second = default_model.decide(texts), loaded.decide(texts)
    assert np.array_equal(first.probabilities, second.probabilities)
    assert first.in_scope.tolist() == second.in_scope.tolist()


@pytest.mark.parametrize(
    "register_priors",
    [
        ["ticket"],
        {"ticket": {"ktlo": 1}},
        {"ticket": {"ktlo": -1, "business_enabling": 1, "commodity_outsourceable": 1}},
    ],
    ids=["not-a-mapping", "missing-labels", "negative-share"],
)
def test_invalid_register_priors_in_the_config_are_refused(fitted_model, tmp_path, register_priors):
    path = save_model(fitted_model, tmp_path / "bundle")
    _edit_config_keeping_checksums(path, lambda config: config.update(register_priors=register_priors))
    with pytest.raises(ModelLoadError, match="invalid register priors .*train the model again"):
        load_model(path)


def test_default_model_keeps_the_label_mix_of_each_corpus_register(default_model):
    mixes = default_model.register_priors_
    assert {"ticket", "task_statement", "backlog"} <= set(mixes)
    assert mixes["ticket"]["business_enabling"] < 0.05 < mixes["backlog"]["business_enabling"]
    card = (default_model_path() / "MODEL_CARD.md").read_text()
    assert "## Label mix by register" in card and "| ticket |" in card
