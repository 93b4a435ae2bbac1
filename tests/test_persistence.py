import json
import os

import numpy as np
import pytest
import skops.io as sio

from classifier import ITWorkClassifier, ModelLoadError, OutputExistsError, load_model, save_model
from classifier.model import FITTED_STATE
from classifier.persistence import file_sha256


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
    assert load_model(path).predict(["reset my password"]) == fitted_model.predict(["reset my password"])
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


def test_every_fitted_attribute_survives_a_round_trip(tmp_path, tiny_frame):
    texts, labels = tiny_frame["text"].tolist() * 2, tiny_frame["label"].tolist() * 2
    registers = ["ticket"] * 30 + ["task_statement"] * (len(texts) - 30)
    model = ITWorkClassifier(calibration="sigmoid").fit(texts, labels, registers=registers)
    model.set_review_thresholds({"ktlo": 0.61}).set_label_priors("ticket")
    loaded = load_model(save_model(model, tmp_path / "bundle"))
    for name in FITTED_STATE:
        assert type(getattr(loaded, name)) is type(getattr(model, name)), name
    assert loaded.review_thresholds() == model.review_thresholds() and loaded.review_thresholds()["ktlo"] == 0.61
    assert loaded.calibration_method_ == "sigmoid" and loaded.adapted_registers_ == ("ticket",)
    assert loaded.register_priors_ == model.register_priors_
    np.testing.assert_array_equal(loaded.label_priors_, model.label_priors_)
    sample = ["Bake bread for the staff party", "printer jammed", "Design the new partner API", ""]
    first, second = model.decide(sample), loaded.decide(sample)
    np.testing.assert_array_equal(first.probabilities, second.probabilities)
    assert first.in_scope.tolist() == second.in_scope.tolist()
    assert first.needs_review.tolist() == second.needs_review.tolist()


def test_model_file_with_other_content_is_refused(fitted_model, tmp_path):
    path = save_model(fitted_model, tmp_path / "bundle")
    sio.dump({"pipeline_": fitted_model.pipeline_}, path / "model.skops")
    card = json.loads((path / "card.json").read_text())
    card["files"]["model.skops"] = file_sha256(path / "model.skops")
    (path / "card.json").write_text(json.dumps(card))
    with pytest.raises(
        ModelLoadError, match=r"does not hold an it-work-classifier's fitted state \(found \['pipeline_'\]\)"
    ):
        load_model(path)


def test_saving_leaves_the_model_in_memory_unchanged(tmp_path, tiny_frame):
    texts, labels = tiny_frame["text"].tolist(), tiny_frame["label"].tolist()
    model = ITWorkClassifier().fit(texts, labels)
    before = model.decide(texts)
    save_model(model, tmp_path / "bundle")
    after = model.decide(texts)
    np.testing.assert_array_equal(after.probabilities, before.probabilities)
    assert after.in_scope.tolist() == before.in_scope.tolist()
    assert isinstance(model.scope_.vocabulary_, np.ndarray)
