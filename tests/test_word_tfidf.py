import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

import classifier.word_tfidf as word_tfidf
from classifier.normalize import BATCH_SEPARATOR, TextNormalizer
from classifier.word_tfidf import WordTfidf, _IntTable

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
    "THANKS, thanks, thanks; wants to access",
    "x\u2028y\x1cz",
]


def _reference(params, fit_texts, texts):
    """scikit-learn's own TfidfVectorizer over the normalized texts (or lower-cased chunks)."""
    normalize = params.get("normalize", True)
    settings = {key: params[key] for key in ("lemmatize", "remove_stop_words", "mask") if key in params}
    prepare = TextNormalizer(**settings).normalize_many if normalize else (lambda batch: batch)
    vectorizer = TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=not normalize,
        ngram_range=params.get("ngram_range", (1, 2)),
        min_df=params.get("min_df", 1),
        sublinear_tf=True,
        dtype=np.float32,
    ).fit(prepare(fit_texts))
    return sp.csr_matrix(vectorizer.transform(prepare(texts)))


def _assert_same_matrix(fast, reference):
    fast, reference = sp.csr_matrix(fast), sp.csr_matrix(reference)
    assert fast.dtype == reference.dtype and fast.shape == reference.shape
    assert np.array_equal(fast.indptr, reference.indptr)
    assert np.array_equal(fast.indices, reference.indices)
    assert np.array_equal(fast.data, reference.data)  # bit for bit, not approximately


PARAMS = [
    {},
    {"ngram_range": (1, 1)},
    {"ngram_range": (2, 2)},
    {"min_df": 2},
    {"lemmatize": False, "mask": False},
    {"normalize": False, "ngram_range": (1, 1)},
    {"normalize": False, "min_df": 2},
]
IDS = ["default", "words", "pairs-only", "min-df-2", "raw-tokens", "chunks", "chunk-pairs-min-df-2"]


@pytest.mark.parametrize("params", PARAMS, ids=IDS)
def test_transform_equals_scikit_learns_vectorizer_bit_for_bit(tiny_frame, params):
    fit_texts = tiny_frame["text"].tolist() * 2 + TEXTS[:6]
    words = WordTfidf(**params).fit(fit_texts)
    texts = TEXTS + tiny_frame["text"].tolist()
    _assert_same_matrix(words.transform(texts), _reference(params, fit_texts, texts))
    _assert_same_matrix(words.transform(texts[::-1]), _reference(params, fit_texts, texts[::-1]))  # warm


@pytest.mark.parametrize("params", PARAMS[:3], ids=IDS[:3])
def test_fit_transform_equals_fit_then_transform(tiny_frame, params):
    texts = tiny_frame["text"].tolist()
    fitted = WordTfidf(**params).fit_transform(texts)
    assert np.allclose(fitted.toarray(), WordTfidf(**params).fit(texts).transform(texts).toarray(), atol=0)


def test_small_chunk_memory_is_refilled_and_stays_exact(tiny_frame):
    fit_texts = tiny_frame["text"].tolist()
    words = WordTfidf(max_chunks=5).fit(fit_texts)
    for texts in (TEXTS, TEXTS[3:], ["brand new words"], TEXTS):
        _assert_same_matrix(words.transform(texts), _reference({}, fit_texts, texts))
    index = words._chunk_index
    generation = index.generation
    words.transform(["brand new words"])
    assert index.generation == generation + 1 and index.chunks == ["\x00", "brand", "new", "words"]  # emptied, refilled


def test_blocks_sharing_an_index_split_once_and_stay_exact(tiny_frame):
    from classifier.word_tfidf import ChunkBatches, ChunkIndex

    fit_texts = tiny_frame["text"].tolist() + TEXTS[:6]
    words, chunks = WordTfidf().fit(fit_texts), WordTfidf(normalize=False, ngram_range=(1, 1)).fit(fit_texts)
    index = ChunkIndex(max_chunks=8)
    for texts in (TEXTS, TEXTS[::-1], TEXTS):  # cold, refilled after the small index overflowed, warm
        batches = ChunkBatches.of(texts, index)
        _assert_same_matrix(words.transform_chunks(batches, texts), _reference({}, fit_texts, texts))
        chunk_params = {"normalize": False, "ngram_range": (1, 1)}
        _assert_same_matrix(chunks.transform_chunks(batches, texts), _reference(chunk_params, fit_texts, texts))


def test_batches_from_an_emptied_index_are_refused(tiny_frame):
    from classifier.word_tfidf import ChunkBatches, ChunkIndex

    words = WordTfidf().fit(tiny_frame["text"].tolist())
    index = ChunkIndex(max_chunks=3)
    stale = ChunkBatches.of(["reset the vpn password"], index)
    ChunkBatches.of(["printer jammed again"], index)  # over max_chunks: emptied
    with pytest.raises(RuntimeError, match="chunk index was emptied since these batches were split"):
        words.transform_chunks(stale, ["reset the vpn password"])


def test_texts_holding_the_separator_take_the_plain_route(tiny_frame):
    fit_texts = tiny_frame["text"].tolist()
    texts = ["reset password", f"patch{BATCH_SEPARATOR} the claims system"]
    _assert_same_matrix(WordTfidf().fit(fit_texts).transform(texts), _reference({}, fit_texts, texts))


def test_an_empty_batch_gives_an_empty_matrix(tiny_frame):
    words = WordTfidf().fit(tiny_frame["text"].tolist())
    assert words.transform([]).shape == (0, len(words.get_feature_names_out()))


def test_refitting_rebuilds_the_fast_route(tiny_frame):
    texts = tiny_frame["text"].tolist()
    words = WordTfidf().fit(texts)
    words.transform(TEXTS)
    words.fit(texts[:-3])
    _assert_same_matrix(words.transform(TEXTS), _reference({}, texts[:-3], TEXTS))


def test_many_texts_go_through_in_slices_with_the_same_result(tiny_frame, monkeypatch):
    monkeypatch.setattr(word_tfidf, "BATCH_TEXTS", 4)
    fit_texts = tiny_frame["text"].tolist()
    texts = TEXTS * 3 + [""]
    _assert_same_matrix(WordTfidf().fit(fit_texts).transform(texts), _reference({}, fit_texts, texts))


def test_pickled_state_leaves_out_the_chunk_memory(tiny_frame):
    words = WordTfidf().fit(tiny_frame["text"].tolist())
    words.transform(TEXTS)
    assert "_chunk_counter" not in words.__getstate__()


@pytest.mark.parametrize("ngram_range", [(1, 3), (3, 3)], ids=["1-3", "3-3"])
def test_longer_ngrams_are_refused(tiny_frame, ngram_range):
    with pytest.raises(ValueError, match=r"ngram_range must be \(1, 1\), \(1, 2\) or \(2, 2\); got"):
        WordTfidf(ngram_range=ngram_range).fit(tiny_frame["text"].tolist())


def test_a_bare_string_is_refused(tiny_frame):
    words = WordTfidf().fit(tiny_frame["text"].tolist())
    with pytest.raises(TypeError, match="got a single str"):
        words.transform("reset password")


def test_int_table_finds_every_key_and_nothing_else():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 2**40, size=5000))
    table = _IntTable(keys, np.arange(len(keys)))
    assert np.array_equal(table.get(keys), np.arange(len(keys)))
    absent = np.setdiff1d(rng.integers(0, 2**40, size=5000), keys)
    assert (table.get(absent) == -1).all()


def test_skops_round_trip_stores_the_vocabulary_as_one_string(tiny_frame):
    import skops.io as sio

    words = WordTfidf().fit(tiny_frame["text"].tolist())
    state = words.__getstate__()
    assert state["terms_"].split("\n") == words.get_feature_names_out().tolist()
    assert not hasattr(state["counter_"], "vocabulary_") and hasattr(words.counter_, "vocabulary_")
    data = sio.dumps(words)
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert loaded.counter_.vocabulary_ == words.counter_.vocabulary_
    _assert_same_matrix(loaded.transform(TEXTS), words.transform(TEXTS))
