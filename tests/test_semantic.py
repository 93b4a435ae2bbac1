"""The semantic part: nearest labelled examples, the cascade, the embedding cache, and a semantic model end to end."""

import numpy as np
import pytest
import skops.io as sio

from classifier import ITWorkClassifier, load_model, save_model
from classifier.semantic import NearestExamples, cascade, fill_embeddings
from tests.conftest import TINY

EMBEDDINGS = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
LABELS = ["a", "a", "b", "b"]
TEXTS = ["first a", "second a", "first b", "second b"]


def test_nearest_examples_vote_and_explain():
    examples = NearestExamples(n_neighbors=2).fit(EMBEDDINGS, LABELS, TEXTS)
    assert examples.predict(np.array([[0.99, 0.1], [0.1, 0.99]], dtype=np.float32)).tolist() == ["a", "b"]
    [found] = examples.nearest(np.array([[0.0, 1.0]], dtype=np.float32), 2)
    assert [(text, label) for text, label, _ in found] == [("first b", "b"), ("second b", "b")]
    assert found[0][2] == pytest.approx(1.0) and found[0][2] > found[1][2]


def test_more_neighbours_than_examples_use_them_all():
    examples = NearestExamples(n_neighbors=50).fit(EMBEDDINGS, LABELS, TEXTS)
    assert examples.predict_proba(EMBEDDINGS[:1]).shape == (1, 2)


def test_embeddings_of_known_texts_come_from_the_store_and_others_are_nan():
    examples = NearestExamples().fit(EMBEDDINGS, LABELS, TEXTS)
    cached = examples.embeddings_of(["second b", "never seen"])
    np.testing.assert_array_equal(cached[0], EMBEDDINGS[3])
    assert np.isnan(cached[1]).all()


def test_saved_examples_keep_texts_as_one_string_and_rebuild_the_index():
    examples = NearestExamples(n_neighbors=2).fit(EMBEDDINGS, LABELS, TEXTS)
    state = examples.__getstate__()
    assert isinstance(state["texts_"], str) and "knn_" not in state and examples.texts_ == TEXTS
    data = sio.dumps(examples)
    loaded = sio.loads(data, trusted=["classifier.semantic.NearestExamples"])
    assert loaded.texts_ == TEXTS
    np.testing.assert_array_equal(loaded.predict_proba(EMBEDDINGS), examples.predict_proba(EMBEDDINGS))


def test_fit_needs_one_embedding_per_label():
    with pytest.raises(ValueError, match=r"one embedding row per label; got shape \(4, 2\) for 3 labels"):
        NearestExamples().fit(EMBEDDINGS, LABELS[:3])


@pytest.mark.parametrize(
    ("threshold", "weight", "expected", "routed"),
    [
        (0.9, 1.0, [[0.95, 0.05], [0.1, 0.9], [0.5, 0.5]], [False, True, False]),
        (0.9, 0.5, [[0.95, 0.05], [0.35, 0.65], [0.5, 0.5]], [False, True, False]),
        (0.0, 1.0, [[0.95, 0.05], [0.6, 0.4], [0.5, 0.5]], [False, False, False]),
        (1.0, 1.0, [[0.1, 0.9], [0.1, 0.9], [0.5, 0.5]], [True, True, False]),
    ],
    ids=["replace", "average", "none-routed", "all-but-blank-routed"],
)
def test_cascade_routes_unsure_non_blank_texts(threshold, weight, expected, routed):
    ngram = np.array([[0.95, 0.05], [0.6, 0.4], [0.5, 0.5]])
    calls = []

    def semantic(rows):
        calls.append(rows.tolist())
        return np.array([[0.1, 0.9]] * len(rows))

    mixed, mask = cascade(ngram, semantic, ["a", "b", "  "], threshold, weight)
    np.testing.assert_allclose(mixed, expected)
    assert mask.tolist() == routed
    assert calls == ([np.flatnonzero(routed).tolist()] if any(routed) else [])


class _CountingEncoder:
    n_features_out_ = 2

    def __init__(self):
        self.encoded = []

    def transform(self, texts):
        self.encoded += list(texts)
        return np.ones((len(texts), 2), dtype=np.float32)


def test_fill_embeddings_encodes_only_the_missing_rows():
    encoder = _CountingEncoder()
    given = np.array([[0.5, 0.5], [np.nan, np.nan]], dtype=np.float32)
    filled = fill_embeddings(encoder, ["cached", "new"], given)
    assert encoder.encoded == ["new"]
    np.testing.assert_array_equal(filled, [[0.5, 0.5], [1.0, 1.0]])
    with pytest.raises(ValueError, match=r"embeddings must have shape \(2, 2\), one row per text; got \(1, 2\)"):
        fill_embeddings(encoder, ["a", "b"], given[:1])


@pytest.fixture(scope="module")
def semantic_model():
    texts, labels = [t for t, _ in TINY] * 3, [label for _, label in TINY] * 3
    # Uncalibrated: on a tiny set isotonic calibration gives some texts a confidence of exactly 1.0.
    return ITWorkClassifier(calibration="none", cascade_threshold=1.0, semantic_weight=1.0, n_neighbors=5).fit(
        texts, labels
    )


def test_a_semantic_model_explains_with_its_nearest_training_texts(semantic_model):
    prediction = semantic_model.classify("Give shoppers a loyalty programme in the customer portal")
    assert prediction.semantic is True
    assert prediction.neighbours and all(label in semantic_model.classes_ for _, label, _ in prediction.neighbours)
    texts = {text for text, _ in TINY}
    assert all(text in texts for text, _, _ in prediction.neighbours)
    similarities = [similarity for _, _, similarity in prediction.neighbours]
    assert similarities == sorted(similarities, reverse=True)


def test_the_cascade_threshold_decides_which_texts_the_encoder_reads(semantic_model):
    texts = ["password reset for a user please", "Plan the new subscription offering", ""]
    routed_all = semantic_model.decide(texts).semantic
    assert routed_all.tolist() == [True, True, False]  # threshold 1.0: every non-blank text
    ngram_only = semantic_model.set_params(cascade_threshold=0.0)
    try:
        assert ngram_only.decide(texts).semantic.tolist() == [False, False, False]
    finally:
        semantic_model.set_params(cascade_threshold=1.0)


def test_fitting_with_cached_embeddings_gives_the_same_model(semantic_model):
    texts, labels = [t for t, _ in TINY] * 3, [label for _, label in TINY] * 3
    cached = semantic_model.neighbours_.embeddings_of(texts)
    assert not np.isnan(cached).any()
    again = ITWorkClassifier(calibration="none", cascade_threshold=1.0, semantic_weight=1.0, n_neighbors=5).fit(
        texts, labels, embeddings=cached
    )
    probe = ["Upgrade the firewall firmware", "Launch a partner API"]
    np.testing.assert_allclose(again.predict_proba(probe), semantic_model.predict_proba(probe), atol=1e-6)


def test_a_model_without_encoder_refuses_embeddings():
    texts, labels = [t for t, _ in TINY], [label for _, label in TINY]
    with pytest.raises(ValueError, match="embeddings were given but this model has no encoder"):
        ITWorkClassifier(encoder=None).fit(texts, labels, embeddings=np.zeros((len(texts), 384)))


def test_a_semantic_bundle_round_trips_and_checks_its_encoder(semantic_model, tmp_path, monkeypatch):
    path = save_model(semantic_model, tmp_path / "bundle")
    loaded = load_model(path)
    probe = ["Upgrade the firewall firmware", "Launch a partner API"]
    np.testing.assert_array_equal(loaded.predict_proba(probe), semantic_model.predict_proba(probe))
    import classifier.encoder as encoder_module
    from classifier.errors import ModelLoadError

    def tampered(name, verify=True):
        raise ModelLoadError("weights.onnx does not match the pinned SHA-256 of encoder 'x'")

    monkeypatch.setattr(encoder_module, "encoder_files", tampered)
    with pytest.raises(ModelLoadError, match="does not match the pinned SHA-256"):
        load_model(path)


def test_the_calibration_report_compares_the_ngram_calibration_methods():
    texts, labels = [t for t, _ in TINY] * 3, [label for _, label in TINY] * 3
    model = ITWorkClassifier(n_neighbors=5).fit(texts, labels)
    assert set(model.calibration_report_) == {"none", "temperature", "sigmoid", "isotonic"}
