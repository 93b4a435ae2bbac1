import numpy as np
import pytest

from classifier import ITWorkClassifier
from classifier.fast_tfidf import FastTfidf, _IntTable
from classifier.normalize import BATCH_SEPARATOR

TEXTS = [
    "Reset the VPN password for a locked-out user",
    "reset the vpn password for a locked-out user",
    "Build a loyalty app for customers (phase 2), see JIRA-1234!",
    "",
    "   ",
    "... !!!",
    "Patch the claims system; it cannot export, again. Patch the claims system",
    "e-mail won't sync, mailbox full, etc.",
    "srv-db01 disk at 95% -- add 200GB https://wiki/x",
    "unknownword anotherunknown reset password unknownword",
    "ΣΟΦΙΑ café naïve İstanbul\u00a0office\ttabs\nnewlines",
]


def _reference(model, texts):
    step = model.pipeline_.named_steps["features"]
    return getattr(step, "word_", step).transform(model.normalize(texts)).tocsr()


def _assert_same_matrix(fast, reference):
    assert type(fast) is type(reference)
    assert fast.dtype == reference.dtype and fast.shape == reference.shape
    assert np.array_equal(fast.indptr, reference.indptr)
    assert np.array_equal(fast.indices, reference.indices)
    assert np.array_equal(fast.data, reference.data)  # bit for bit, not approximately


@pytest.mark.parametrize(
    "params",
    [{}, {"ngram_range": (1, 1)}, {"ngram_range": (2, 2)}, {"min_df": 2}, {"lemmatize": False, "mask": False}],
    ids=["default", "words", "pairs-only", "min-df-2", "raw-tokens"],
)
def test_features_equal_the_pipeline_features(tiny_frame, params):
    model = ITWorkClassifier(**params).fit(tiny_frame["text"].tolist() * 2, tiny_frame["label"].tolist() * 2)
    fast = FastTfidf.for_model(model)
    texts = TEXTS + tiny_frame["text"].tolist()
    _assert_same_matrix(fast.transform(texts), _reference(model, texts))
    _assert_same_matrix(fast.transform(texts[::-1]), _reference(model, texts[::-1]))  # warm, other order


def test_default_model_features_and_probabilities_are_unchanged(default_model):
    texts = TEXTS * 3
    _assert_same_matrix(FastTfidf.for_model(default_model).transform(texts), _reference(default_model, texts))
    expected = default_model._to_label_priors(default_model._plain_probabilities(texts))
    assert np.array_equal(default_model.predict_proba(texts), expected)


def test_small_chunk_memory_is_refilled_and_stays_exact(fitted_model):
    fast = FastTfidf(fitted_model.pipeline_.named_steps["features"], fitted_model._get_normalizer(), max_chunks=5)
    largest = len({chunk for text in TEXTS for chunk in text.lower().split()}) + 1  # and the separator
    for texts in (TEXTS, TEXTS[3:], ["brand new words"], TEXTS):
        _assert_same_matrix(fast.transform(texts), _reference(fitted_model, texts))
        assert len(fast._chunk_ids) <= largest
    fast.transform(["brand new words"])
    assert len(fast._chunk_ids) == 4  # forgotten and refilled with this batch's chunks


def test_texts_holding_the_separator_fall_back_to_the_plain_route(fitted_model):
    texts = ["reset password", f"patch{BATCH_SEPARATOR} the claims system"]
    assert FastTfidf.for_model(fitted_model).transform(texts) is None
    expected = fitted_model._plain_probabilities(texts)
    assert np.array_equal(fitted_model.predict_proba(texts), expected)


def test_an_empty_batch_takes_the_plain_route(fitted_model):
    assert FastTfidf.for_model(fitted_model).transform([]) is None


def test_unsupported_vectorizers_use_the_plain_route(tiny_frame):
    model = ITWorkClassifier(char_ngram_range=(3, 4)).fit(tiny_frame["text"].tolist(), tiny_frame["label"].tolist())
    assert FastTfidf.for_model(model) is None
    texts = TEXTS
    assert np.array_equal(model.predict_proba(texts), model._plain_probabilities(texts))
    with pytest.raises(ValueError, match="cannot reproduce this vectorizer"):
        FastTfidf(model.pipeline_.named_steps["features"], model._get_normalizer())


def test_refitting_rebuilds_the_features(tiny_frame):
    texts, labels = tiny_frame["text"].tolist(), tiny_frame["label"].tolist()
    model = ITWorkClassifier().fit(texts, labels)
    first = FastTfidf.for_model(model)
    assert FastTfidf.for_model(model) is first
    model.fit(texts[:-3], labels[:-3])
    assert FastTfidf.for_model(model) is not first
    _assert_same_matrix(FastTfidf.for_model(model).transform(TEXTS), _reference(model, TEXTS))


def test_int_table_finds_every_key_and_nothing_else():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**40, size=5000))
    table = _IntTable(keys, np.arange(len(keys)))
    assert np.array_equal(table.get(keys), np.arange(len(keys)))
    absent = np.setdiff1d(rng.integers(0, 2**40, size=5000), keys)
    assert (table.get(absent) == -1).all()


def test_many_texts_go_through_in_slices_with_the_same_result(fitted_model, monkeypatch):
    import classifier.fast_tfidf as fast_tfidf

    monkeypatch.setattr(fast_tfidf, "BATCH_TEXTS", 4)
    texts = TEXTS * 3 + [""]
    _assert_same_matrix(FastTfidf.for_model(fitted_model).transform(texts), _reference(fitted_model, texts))
    _assert_same_matrix(FastTfidf.for_model(fitted_model).transform([""]), _reference(fitted_model, [""]))


def _chunk_vectorizer(texts, **params):
    from sklearn.feature_extraction.text import TfidfVectorizer

    params = {"token_pattern": r"\S+", "sublinear_tf": True, "dtype": np.float32, **params}
    return TfidfVectorizer(**params).fit(texts)


def test_chunk_features_equal_the_chunk_vectorizers_from_the_same_pass(fitted_model):
    texts = TEXTS + ["THANKS, thanks, thanks; wants to access", "x\u2028y\x1cz"]
    chunks = _chunk_vectorizer(texts[:6] + texts[-2:])
    word = fitted_model.pipeline_.named_steps["features"]
    fast = FastTfidf(word, fitted_model._get_normalizer(), chunk_vectorizer=chunks, max_chunks=8)
    for batch in (texts, texts[::-1], texts):  # cold, refilled after the small memory overflowed, warm
        features, chunk_features = fast.transform_with_chunks(batch)
        _assert_same_matrix(features, _reference(fitted_model, batch))
        _assert_same_matrix(chunk_features, chunks.transform(batch).tocsr())


@pytest.mark.parametrize(
    "params", [{"ngram_range": (1, 2)}, {"lowercase": False}, {"token_pattern": r"\w+"}], ids=["bigrams", "cased", "w+"]
)
def test_chunk_vectorizers_that_split_differently_are_refused(fitted_model, params):
    word = fitted_model.pipeline_.named_steps["features"]
    with pytest.raises(ValueError, match="cannot reproduce this chunk vectorizer"):
        FastTfidf(word, fitted_model._get_normalizer(), chunk_vectorizer=_chunk_vectorizer(TEXTS, **params))


def test_chunk_features_need_a_chunk_vectorizer(fitted_model):
    with pytest.raises(ValueError, match="has no chunk_vectorizer; use transform"):
        FastTfidf.for_model(fitted_model).transform_with_chunks(TEXTS)
