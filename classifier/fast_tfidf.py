"""TF-IDF features of raw texts in one vectorized pass, equal to the fitted pipeline's.

The plain route to a model's features normalizes each text to a string, and
scikit-learn's ``TfidfVectorizer`` then splits that string again and counts its
words and word pairs in Python, text by text. For a word n-gram vectorizer over
whitespace tokens (the default model's) :class:`FastTfidf` computes the same
matrix, bit for bit, from the texts' whitespace chunks:

* each distinct lower-cased chunk is normalized once, by the model's
  :class:`~classifier.normalize.TextNormalizer`, and remembered as the ids of
  its tokens in the vocabulary (-1 for an unknown token, which still breaks
  word pairs; a chunk that normalizes to nothing has no ids);
* a batch is split in one go (:func:`~classifier.normalize.split_batch`), its
  chunks mapped to chunk ids in one dictionary pass, and the word and word-pair
  counts gathered with numpy;
* the counts go through the fitted vectorizer's own TF-IDF weighting.

``tests/test_fast_tfidf.py`` checks that the matrices equal ``TfidfVectorizer.transform``'s.

>>> from classifier import load_model
>>> model = load_model()
>>> fast = FastTfidf.for_model(model)
>>> texts = ["Reset the VPN password", "", "Build a loyalty app for customers"]
>>> features = fast.transform(texts)
>>> word_features = model.pipeline_.named_steps["features"].word_  # beside the register copies (classifier.registers)
>>> reference = word_features.transform(model.normalize(texts))
>>> (features != reference).nnz
0
"""

from __future__ import annotations

import threading
import weakref
from itertools import compress, repeat

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from classifier.normalize import BATCH_SEPARATOR, TextNormalizer, split_batch

__all__ = ["FastTfidf"]

BATCH_TEXTS = 4096  # texts transformed at a time (a first call over 50,000 texts is twice as fast so)
_SEPARATOR_ID = -2  # token id that ends a text
_UNKNOWN_ID = -1  # token id of a token outside the vocabulary
_BY_MODEL: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BY_MODEL_LOCK = threading.Lock()


class FastTfidf:
    """Compute a fitted word n-gram ``TfidfVectorizer``'s features straight from raw texts.

    Parameters
    ----------
    vectorizer : TfidfVectorizer
        Fitted on normalized texts, with ``token_pattern=r"\\S+"``, no
        lower-casing or other preprocessing, and n-grams of at most 2 words
        (see :meth:`supports`).
    normalizer : TextNormalizer
        The normalizer the vectorizer's training texts went through.
    max_chunks : int, default 500_000
        Distinct chunks remembered; when full the memory is emptied and refilled.
    chunk_vectorizer : TfidfVectorizer or None
        A second vectorizer, fitted on raw texts, whose terms are whole
        lower-cased whitespace chunks (see :meth:`counts_whole_chunks`): the
        register detector's. :meth:`transform_with_chunks` gives its features
        too, from the same chunk pass.
    """

    def __init__(
        self,
        vectorizer: TfidfVectorizer,
        normalizer: TextNormalizer,
        max_chunks: int = 500_000,
        chunk_vectorizer: TfidfVectorizer | None = None,
    ) -> None:
        if not self.supports(vectorizer):
            raise ValueError(f"FastTfidf cannot reproduce this vectorizer: {vectorizer!r}")
        if chunk_vectorizer is not None and not self.counts_whole_chunks(chunk_vectorizer):
            raise ValueError(f"FastTfidf cannot reproduce this chunk vectorizer: {chunk_vectorizer!r}")
        self.vectorizer = vectorizer
        self.normalizer = normalizer
        self.max_chunks = max_chunks
        self.chunk_vectorizer = chunk_vectorizer
        self._lock = threading.Lock()
        self._min_n, self._max_n = vectorizer.ngram_range
        vocabulary = vectorizer.vocabulary_
        self._n_features = len(vocabulary)
        terms = list(vocabulary)
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(terms))
        is_pair = np.fromiter((" " in term for term in terms), dtype=bool, count=len(terms))
        words = [term for term, pair in zip(terms, is_pair) if not pair]
        pairs = [term for term, pair in zip(terms, is_pair) if pair]
        parts = "\n".join(pairs).replace(" ", "\n").split("\n") if pairs else []
        if len(parts) != 2 * len(pairs):
            raise ValueError("FastTfidf needs vocabulary terms of one or two tokens")
        # Token ids: the single-word terms first, then tokens that occur only inside word pairs.
        token_ids = {word: index for index, word in enumerate(words)}
        for part in parts:
            token_ids.setdefault(part, len(token_ids))
        self._token_ids = token_ids
        self._word_columns = np.full(len(token_ids), -1, dtype=np.int64)
        self._word_columns[: len(words)] = columns[~is_pair]
        pair_ids = np.fromiter(map(token_ids.__getitem__, parts), dtype=np.int64, count=len(parts)).reshape(-1, 2)
        self._pairs = _IntTable(pair_ids[:, 0] * len(token_ids) + pair_ids[:, 1], columns[is_pair])
        self._forget_chunks()

    @staticmethod
    def supports(vectorizer: object) -> bool:
        """Whether ``vectorizer`` is a fitted TfidfVectorizer whose features this class reproduces."""
        return (
            _splits_on_whitespace(vectorizer)
            and not vectorizer.lowercase
            and tuple(vectorizer.ngram_range) in ((1, 1), (1, 2), (2, 2))
        )

    @staticmethod
    def counts_whole_chunks(vectorizer: object) -> bool:
        """Whether ``vectorizer`` is a fitted TfidfVectorizer of raw texts' lower-cased whitespace chunks."""
        return _splits_on_whitespace(vectorizer) and vectorizer.lowercase and tuple(vectorizer.ngram_range) == (1, 1)

    @classmethod
    def for_model(cls, model) -> FastTfidf | None:
        """The FastTfidf of a fitted ITWorkClassifier (built once per fitted pipeline), or None if unsupported."""
        pipeline = model.pipeline_
        with _BY_MODEL_LOCK:
            fast = _BY_MODEL.get(model)
            if fast is not None and fast._pipeline is pipeline and fast.normalizer is model._get_normalizer():
                return fast
            features = pipeline.named_steps.get("features") if len(pipeline.steps) == 2 else None
            vectorizer = getattr(features, "word_", features)  # the word features of register-adapted ones
            detector = getattr(getattr(features, "detector_", None), "vectorizer_", None)
            if detector is not None and not cls.counts_whole_chunks(detector):
                fast = None
            elif cls.supports(vectorizer):
                fast = cls(vectorizer, model._get_normalizer(), chunk_vectorizer=detector)
            else:
                fast = None
            if fast is not None:
                fast._pipeline = pipeline
                _BY_MODEL[model] = fast
            return fast

    def _forget_chunks(self) -> None:
        self._chunk_ids = {BATCH_SEPARATOR: 0}
        self._starts = np.zeros(1, dtype=np.int64)
        self._lengths = np.ones(1, dtype=np.int64)
        self._tokens = np.full(1, _SEPARATOR_ID, dtype=np.int64)
        self._chunk_columns = np.full(1, -1, dtype=np.int64)  # each chunk's column in chunk_vectorizer

    def _learn_chunks(self, chunks: list[str]) -> None:
        """Normalize chunks not seen before and remember their token ids."""
        token_ids = self._token_ids
        normalize = self.normalizer.normalize_chunk
        new_tokens = [[token_ids.get(token, _UNKNOWN_ID) for token in normalize(chunk).split()] for chunk in chunks]
        lengths = np.fromiter(map(len, new_tokens), dtype=np.int64, count=len(new_tokens))
        first = len(self._chunk_ids)
        self._chunk_ids.update(zip(chunks, range(first, first + len(chunks))))
        self._starts = np.concatenate([self._starts, len(self._tokens) + np.cumsum(lengths) - lengths])
        self._lengths = np.concatenate([self._lengths, lengths])
        flat = np.fromiter((token for tokens in new_tokens for token in tokens), dtype=np.int64, count=lengths.sum())
        self._tokens = np.concatenate([self._tokens, flat])
        if self.chunk_vectorizer is not None:
            columns = map(self.chunk_vectorizer.vocabulary_.get, chunks, repeat(-1))
            columns = np.fromiter(columns, dtype=np.int64, count=len(chunks))
            self._chunk_columns = np.concatenate([self._chunk_columns, columns])

    def _chunk_tokens(self, chunks: list[str]) -> tuple[np.ndarray, ...]:
        """Chunk ids of ``chunks`` and the (starts, lengths, tokens, chunk columns) arrays they index."""
        with self._lock:
            try:  # one dictionary pass when every chunk was seen before
                ids = np.fromiter(map(self._chunk_ids.__getitem__, chunks), dtype=np.int64, count=len(chunks))
            except KeyError:
                codes, distinct = pd.factorize(np.array(chunks, dtype=object))
                distinct = distinct.tolist()
                known = np.fromiter(map(self._chunk_ids.get, distinct, repeat(-1)), dtype=np.int64, count=len(distinct))
                new = list(compress(distinct, (known < 0).tolist()))
                if len(self._chunk_ids) + len(new) > self.max_chunks:
                    self._forget_chunks()
                    new = [chunk for chunk in distinct if chunk != BATCH_SEPARATOR]
                self._learn_chunks(new)
                known = np.fromiter(map(self._chunk_ids.__getitem__, distinct), dtype=np.int64, count=len(distinct))
                ids = known[codes]
            return ids, self._starts, self._lengths, self._tokens, self._chunk_columns

    def transform(self, texts: list[str]) -> sp.csr_matrix | None:
        """The TF-IDF matrix of raw texts, as the vectorizer gives for their normalized forms.

        Returns None for no texts or if a text holds the batch separator character (NUL); use the
        plain route then. Texts go through in slices of ``BATCH_TEXTS``: small arrays are reused
        from one slice to the next instead of fresh memory being mapped for huge ones.
        """
        result = self._transform_in_slices(texts, with_chunks=False)
        return None if result is None else result[0]

    def transform_with_chunks(self, texts: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix] | None:
        """The TF-IDF matrices of raw texts for the vectorizer and the chunk vectorizer, from one chunk pass.

        Returns None where :meth:`transform` does.
        """
        if self.chunk_vectorizer is None:
            raise ValueError("this FastTfidf has no chunk_vectorizer; use transform()")
        return self._transform_in_slices(texts, with_chunks=True)

    def _transform_in_slices(self, texts: list[str], with_chunks: bool) -> tuple | None:
        parts = []
        for start in range(0, len(texts), BATCH_TEXTS):
            part = self._transform(texts[start : start + BATCH_TEXTS], with_chunks)
            if part is None:
                return None
            parts.append(part)
        if len(parts) <= 1:
            return parts[0] if parts else None
        return tuple(sp.vstack(matrices, format="csr") for matrices in zip(*parts))

    def _transform(self, texts: list[str], with_chunks: bool = False) -> tuple | None:
        chunks = split_batch(texts)
        if chunks is None:
            return None
        n_texts = len(texts)
        ids, starts, lengths, tokens, chunk_columns = self._chunk_tokens(chunks)
        # The tokens of all chunks in order, with _SEPARATOR_ID between texts.
        chunk_lengths = lengths[ids]
        ends = np.cumsum(chunk_lengths)
        total = int(ends[-1]) if len(ends) else 0
        gather = np.repeat(starts[ids] - (ends - chunk_lengths), chunk_lengths) + np.arange(total)
        sequence = tokens[gather]
        text_of = np.cumsum(sequence == _SEPARATOR_ID)
        rows, columns = [], []
        if self._min_n == 1:
            known = np.flatnonzero(sequence >= 0)
            word_columns = self._word_columns[sequence[known]]
            keep = word_columns >= 0
            rows.append(text_of[known[keep]])
            columns.append(word_columns[keep])
        if self._max_n == 2 and total > 1:
            left, right = sequence[:-1], sequence[1:]
            both = np.flatnonzero((left >= 0) & (right >= 0))
            pair_columns = self._pairs.get(left[both] * len(self._token_ids) + right[both])
            hit = pair_columns >= 0
            rows.append(text_of[both[hit]])
            columns.append(pair_columns[hit])
        counts = _csr_counts(rows, columns, n_texts, self._n_features, self.vectorizer.dtype)
        if self.vectorizer.binary:
            counts.data.fill(1)
        features = self.vectorizer._tfidf.transform(counts, copy=False)
        if not with_chunks:
            return (features,)
        columns = chunk_columns[ids]
        known = columns >= 0  # the separator (chunk id 0) and chunks outside the vocabulary have no column
        text_of_chunk = np.cumsum(ids == 0)
        chunk_vectorizer = self.chunk_vectorizer
        chunk_counts = _csr_counts(
            [text_of_chunk[known]], [columns[known]], n_texts, len(chunk_vectorizer.vocabulary_), chunk_vectorizer.dtype
        )
        if chunk_vectorizer.binary:
            chunk_counts.data.fill(1)
        return features, chunk_vectorizer._tfidf.transform(chunk_counts, copy=False)


def _splits_on_whitespace(vectorizer: object) -> bool:
    """A fitted TfidfVectorizer of word n-grams whose words are whitespace-separated chunks, nothing removed."""
    return (
        type(vectorizer) is TfidfVectorizer
        and hasattr(vectorizer, "vocabulary_")
        and hasattr(vectorizer, "_tfidf")
        and vectorizer.input == "content"
        and vectorizer.analyzer == "word"
        and vectorizer.token_pattern == r"\S+"
        and vectorizer.tokenizer is None
        and vectorizer.preprocessor is None
        and vectorizer.stop_words is None
        and vectorizer.strip_accents is None
    )


def _csr_counts(rows: list[np.ndarray], columns: list[np.ndarray], n_rows: int, n_columns: int, dtype) -> sp.csr_array:
    """A CSR count matrix from groups of (row, column) entries, each group sorted by row; repeats add up."""
    per_group = [np.bincount(group, minlength=n_rows) for group in rows]
    per_row = np.sum(per_group, axis=0) if per_group else np.zeros(n_rows, dtype=np.int64)
    index_dtype = np.int32 if per_row.sum() <= np.iinfo(np.int32).max else np.int64
    indptr = np.zeros(n_rows + 1, dtype=index_dtype)
    np.cumsum(per_row, out=indptr[1:])
    indices = np.empty(int(indptr[-1]), dtype=index_dtype)
    filled = indptr[:-1].astype(np.int64)
    for group_rows, group_columns, group_counts in zip(rows, columns, per_group):
        group_starts = np.cumsum(group_counts) - group_counts
        indices[filled[group_rows] + np.arange(len(group_rows)) - group_starts[group_rows]] = group_columns
        filled += group_counts
    counts = sp.csr_array((np.ones(len(indices), dtype=dtype), indices, indptr), shape=(n_rows, n_columns))
    counts.sum_duplicates()
    return counts


class _IntTable:
    """A read-only hash table from non-negative int64 keys to int64 values, looked up many keys at a time.

    >>> _IntTable(np.array([5, 17, 2**40]), np.array([0, 1, 2])).get(np.array([17, 3, 2**40, 5]))
    array([ 1, -1,  2,  0])
    """

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 4))))  # load factor at most 1/4
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        self._keys = np.full(1 << bits, -1, dtype=np.int64)
        self._values = np.full(1 << bits, -1, dtype=np.int64)
        pending, slots = np.arange(len(keys)), self._slots(np.asarray(keys, dtype=np.int64))
        while pending.size:  # linear probing; the first of several keys wanting a free slot gets it
            free = self._keys[slots] == -1
            candidates, candidate_slots = pending[free], slots[free]
            taken_slots, first = np.unique(candidate_slots, return_index=True)
            self._keys[taken_slots] = keys[candidates[first]]
            self._values[taken_slots] = values[candidates[first]]
            placed = np.zeros(len(pending), dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            pending, slots = pending[~placed], (slots[~placed] + 1) & self._mask

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        hashed = keys.astype(np.int64, copy=False).view(np.uint64) * self._MULTIPLIER  # wraps around
        hashed >>= self._shift
        return hashed.view(np.int64)

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The value of each key, -1 where a key is absent."""
        result = np.full(len(keys), -1, dtype=np.int64)
        pending, slots = np.arange(len(keys)), self._slots(keys)
        while pending.size:
            stored = self._keys[slots]
            hit = stored == keys[pending]
            result[pending[hit]] = self._values[slots[hit]]
            going_on = ~hit & (stored != -1)
            pending, slots = pending[going_on], (slots[going_on] + 1) & self._mask
        return result
