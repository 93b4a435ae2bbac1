"""Word TF-IDF features of raw texts: a scikit-learn transformer whose ``transform`` is one vectorized pass.

:class:`WordTfidf` learns the vocabulary and inverse document frequencies of
word n-grams (one or two tokens) like scikit-learn's ``CountVectorizer`` plus
``TfidfTransformer``, over texts normalized by a
:class:`~classifier.normalize.TextNormalizer` (``normalize=True``) or over the
raw texts' lower-cased whitespace chunks (``normalize=False``: what the
register detector reads, stop words and punctuation kept).

``transform`` never builds the normalized strings. spaCy's tokenizer treats
every whitespace chunk on its own, so a text's tokens are the concatenation of
its chunks' tokens:

* each distinct lower-cased chunk is turned into tokens once and remembered as
  the ids of those tokens in the vocabulary (-1 for an unknown token, which
  still breaks word pairs; a chunk that normalizes to nothing has no ids);
* a batch is split in one go (:class:`ChunkBatches`, which feature blocks
  reading the same texts share), its distinct chunks mapped to chunk ids, and
  the word and word-pair counts gathered with numpy;
* the counts go through the fitted ``TfidfTransformer``.

The result equals ``tfidf_.transform(counter_.transform(normalize(texts)))``
bit for bit (``tests/test_word_tfidf.py``); a batch holding the separator
character (NUL) takes that plain route.

>>> texts = ["Reset the VPN password", "VPN down again", "Build a loyalty app for customers"]
>>> words = WordTfidf().fit(texts)
>>> words.transform(["vpn password reset", ""]).shape
(2, 14)
>>> words.get_feature_names_out()[:3].tolist()
['app', 'app customer', 'build']
"""

from __future__ import annotations

import copy
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.utils.validation import check_is_fitted

from classifier.normalize import BATCH_SEPARATOR, TextNormalizer, split_batch
from classifier.predictions import TextInputMixin, check_texts

__all__ = ["WordTfidf", "ChunkBatches", "ChunkIndex"]

BATCH_TEXTS = 4096  # texts transformed at a time (a first call over 50,000 texts is twice as fast so)
_SEPARATOR_ID = -2  # token id that ends a text
_UNKNOWN_ID = -1  # token id of a token outside the vocabulary


class WordTfidf(TextInputMixin, TransformerMixin, BaseEstimator):
    """TF-IDF of word n-grams of raw texts, normalized or as lower-cased whitespace chunks.

    Parameters
    ----------
    ngram_range : tuple of int, default (1, 2)
        Word n-grams: ``(1, 1)``, ``(1, 2)`` or ``(2, 2)``.
    min_df : int, default 1
        Ignore n-grams seen in fewer training texts.
    normalize : bool, default True
        Tokens are those of :class:`~classifier.normalize.TextNormalizer`;
        ``False`` keeps each lower-cased whitespace chunk as one token.
    lemmatize, remove_stop_words, mask : bool, default True
        Settings of the normalizer (ignored with ``normalize=False``).
    max_chunks : int, default 500_000
        Distinct chunks remembered by ``transform``; when full the memory is emptied and refilled.

    Attributes
    ----------
    counter_ : CountVectorizer
        The vocabulary, fitted on the tokens of the training texts.
    tfidf_ : TfidfTransformer
        Sublinear TF and inverse document frequencies.
    """

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        normalize: bool = True,
        lemmatize: bool = True,
        remove_stop_words: bool = True,
        mask: bool = True,
        max_chunks: int = 500_000,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.normalize = normalize
        self.lemmatize = lemmatize
        self.remove_stop_words = remove_stop_words
        self.mask = mask
        self.max_chunks = max_chunks

    def _normalizer(self) -> TextNormalizer | None:
        if not self.normalize:
            return None
        return TextNormalizer(lemmatize=self.lemmatize, remove_stop_words=self.remove_stop_words, mask=self.mask)

    def tokens(self, texts: Sequence[str]) -> list[str]:
        """Each text's tokens as one space-separated string: the normalized text, or its lower-cased chunks."""
        texts = check_texts(texts)
        normalizer = self._normalizer()
        if normalizer is None:
            return [" ".join(text.lower().split()) for text in texts]
        return normalizer.normalize_many(texts)

    def fit(self, texts: Sequence[str], y=None) -> WordTfidf:
        """Learn the vocabulary and IDF of ``texts``. Returns self."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y=None) -> sp.csr_matrix:
        """Fit and return the TF-IDF matrix of the training texts."""
        if tuple(self.ngram_range) not in ((1, 1), (1, 2), (2, 2)):
            raise ValueError(f"ngram_range must be (1, 1), (1, 2) or (2, 2); got {self.ngram_range!r}")
        self.counter_ = self._counter()
        counts = self.counter_.fit_transform(self.tokens(texts))
        self.tfidf_ = TfidfTransformer(sublinear_tf=True).fit(counts)
        self._chunk_counter: _ChunkCounter | None = None  # the fast route's tables belong to this vocabulary
        return self.tfidf_.transform(counts, copy=False)

    def _counter(self) -> CountVectorizer:
        return CountVectorizer(
            token_pattern=r"\S+",
            lowercase=False,
            ngram_range=_pair(self.ngram_range),
            min_df=self.min_df,
            dtype=np.float32,
        )

    def restore(self, terms: Sequence[str], idf: np.ndarray) -> WordTfidf:
        """Set the fitted state from checked values: the n-grams in column order and their IDF. Returns self.

        Model bundles (:mod:`classifier.bundle`) call this; the vectorizers are built here, as in ``fit``,
        so nothing but these two values comes from the file.

        >>> words = WordTfidf().restore(["password", "password reset", "reset"], np.ones(3, dtype=np.float32))
        >>> words.transform(["Password reset"]).nnz
        3
        """
        if len(terms) != len(idf):
            raise ValueError(f"got {len(terms)} terms but {len(idf)} IDF values; give one per term")
        counter = self._counter()
        counter.vocabulary_ = dict(zip(terms, range(len(terms))))
        counter.fixed_vocabulary_ = False
        tfidf = TfidfTransformer(sublinear_tf=True)
        tfidf.idf_ = np.asarray(idf)
        tfidf.n_features_in_ = len(terms)
        self.counter_, self.tfidf_ = counter, tfidf
        self._chunk_counter = None
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The TF-IDF matrix of raw texts, shape ``(n_texts, n_features)``."""
        check_is_fitted(self, "tfidf_")
        texts = check_texts(texts)
        index = getattr(self, "_chunk_index", None)
        if index is None:
            index = self._chunk_index = ChunkIndex(self.max_chunks)
        return self.transform_chunks(ChunkBatches.of(texts, index), texts)

    def transform_chunks(self, batches: ChunkBatches | None, texts: list[str]) -> sp.csr_matrix:
        """:meth:`transform` of ``texts`` already split by :meth:`ChunkBatches.of` (None: take the plain route).

        Feature blocks that read the same texts share one split and one :class:`ChunkIndex`.
        """
        check_is_fitted(self, "tfidf_")
        if not texts:
            return sp.csr_matrix((0, len(self.counter_.vocabulary_)), dtype=np.float32)
        if batches is None:  # a text holds the batch separator: the plain route
            counts = self.counter_.transform(self.tokens(texts))
        else:
            counter = getattr(self, "_chunk_counter", None)
            if counter is None:
                counter = self._chunk_counter = _ChunkCounter(
                    self.counter_.vocabulary_, self._chunk_tokens(), _pair(self.ngram_range)
                )
            counts = counter.count(batches)
        return self.tfidf_.transform(counts, copy=False)

    def _chunk_tokens(self) -> Callable[[str], list[str]]:
        normalizer = self._normalizer()
        if normalizer is None:
            return lambda chunk: [chunk]
        return lambda chunk: normalizer.normalize_chunk(chunk).split()

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The n-grams, in column order."""
        check_is_fitted(self, "counter_")
        return self.counter_.get_feature_names_out()

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: BaseEstimator hands out the live __dict__
        for transient in ("_chunk_counter", "_chunk_index"):  # rebuilt on first use: chunk memory, locks, tables
            state.pop(transient, None)
        counter = state.get("counter_")
        if counter is not None and hasattr(counter, "vocabulary_"):
            # The vocabulary as one newline-separated str in column order (terms hold no newline): a dict
            # of 50,000 terms is 50,000 nodes in a skops file, 20 MB and seconds to load.
            light = copy.copy(counter)
            light.__dict__ = {key: value for key, value in counter.__dict__.items() if key != "vocabulary_"}
            state["counter_"] = light
            state["terms_"] = "\n".join(counter.get_feature_names_out().tolist())
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        terms = state.pop("terms_", None)
        super().__setstate__(state)
        if terms is not None:
            names = terms.split("\n")
            self.counter_.vocabulary_ = dict(zip(names, range(len(names))))


def _pair(ngram_range: Sequence[int]) -> tuple[int, int]:
    low, high = ngram_range
    return int(low), int(high)


class ChunkIndex:
    """Ids of the distinct lower-cased whitespace chunks of the texts seen, for the feature blocks that read them.

    Id 0 is the batch separator; every new chunk gets the next id. Blocks that
    share an index look each chunk up once, in :meth:`ChunkBatches.of`, and
    keep what they derive from a chunk (its token ids) in arrays by chunk id.
    When the index holds more than ``max_chunks`` chunks, the next
    :meth:`ChunkBatches.of` empties it and its ``generation`` changes, so
    blocks forget what they derived.
    """

    def __init__(self, max_chunks: int = 500_000) -> None:
        self.max_chunks = max_chunks
        self.generation = 0
        self.lock = threading.Lock()
        self._ids: dict[str, int] = {BATCH_SEPARATOR: 0}
        self.chunks: list[str] = [BATCH_SEPARATOR]

    def __len__(self) -> int:
        return len(self.chunks)

    def _empty(self) -> None:
        self.generation += 1
        self._ids = {BATCH_SEPARATOR: 0}
        self.chunks = [BATCH_SEPARATOR]

    def _ids_of(self, chunks: list[str]) -> np.ndarray:
        ids = self._ids
        try:  # one dictionary pass when every chunk was seen before
            return np.fromiter(map(ids.__getitem__, chunks), dtype=np.int64, count=len(chunks))
        except KeyError:
            for chunk in dict.fromkeys(chunks):
                if chunk not in ids:
                    ids[chunk] = len(self.chunks)
                    self.chunks.append(chunk)
            return np.fromiter(map(ids.__getitem__, chunks), dtype=np.int64, count=len(chunks))


@dataclass(frozen=True)
class ChunkBatches:
    """Texts split into whitespace chunks once, slice by slice, as ids in a :class:`ChunkIndex`.

    >>> index = ChunkIndex()
    >>> batches = ChunkBatches.of(["Reset  PWD", "", "reset vpn"], index)
    >>> batches.ids[0].tolist(), index.chunks
    ([1, 2, 0, 0, 1, 3], ['\\x00', 'reset', 'pwd', 'vpn'])
    """

    index: ChunkIndex
    generation: int
    sizes: tuple[int, ...]  # texts per slice
    ids: tuple[np.ndarray, ...]  # chunk ids per slice, 0 between texts

    @classmethod
    def of(cls, texts: list[str], index: ChunkIndex) -> ChunkBatches | None:
        """Split ``texts``; None if a text holds the batch separator (NUL) or there are no texts."""
        if not texts:
            return None
        with index.lock:
            if len(index) > index.max_chunks:
                index._empty()
            sizes, ids = [], []
            for start in range(0, len(texts), BATCH_TEXTS):  # small arrays, reused from one slice to the next
                part = texts[start : start + BATCH_TEXTS]
                chunks = split_batch(part)
                if chunks is None:
                    return None
                sizes.append(len(part))
                ids.append(index._ids_of(chunks))
            return cls(index, index.generation, tuple(sizes), tuple(ids))


class _Learned:
    """What a counter derived from the chunks of one generation of a ChunkIndex: token ids by chunk id."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.starts = np.zeros(0, dtype=np.int64)
        self.lengths = np.zeros(0, dtype=np.int64)
        self.tokens = np.zeros(0, dtype=np.int64)


class _ChunkCounter:
    """N-gram counts of raw texts from their whitespace chunks, remembering each chunk's token ids."""

    def __init__(
        self, vocabulary: dict[str, int], chunk_tokens: Callable[[str], list[str]], ngram_range: tuple[int, int]
    ) -> None:
        self.chunk_tokens = chunk_tokens
        self._lock = threading.Lock()
        self._min_n, self._max_n = ngram_range
        self._n_features = len(vocabulary)
        terms = list(vocabulary)
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(terms))
        is_pair = np.fromiter((" " in term for term in terms), dtype=bool, count=len(terms))
        words = [term for term, pair in zip(terms, is_pair) if not pair]
        pairs = [term for term, pair in zip(terms, is_pair) if pair]
        parts = "\n".join(pairs).replace(" ", "\n").split("\n") if pairs else []
        # Token ids: the single-word terms first, then tokens that occur only inside word pairs.
        token_ids = {word: index for index, word in enumerate(words)}
        for part in parts:
            token_ids.setdefault(part, len(token_ids))
        self._token_ids = token_ids
        self._word_columns = np.full(len(token_ids), -1, dtype=np.int64)
        self._word_columns[: len(words)] = columns[~is_pair]
        pair_ids = np.fromiter(map(token_ids.__getitem__, parts), dtype=np.int64, count=len(parts)).reshape(-1, 2)
        self._pairs = _IntTable(pair_ids[:, 0] * len(token_ids) + pair_ids[:, 1], columns[is_pair])
        self._learned: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # ChunkIndex -> _Learned

    def _learn(self, index: ChunkIndex, generation: int) -> _Learned:
        """The token ids of every chunk in ``index`` (learning the chunks added since the last call)."""
        with self._lock:
            learned = self._learned.get(index)
            if learned is None or learned.generation != generation:
                learned = self._learned[index] = _Learned(generation)
            chunks = index.chunks[len(learned.lengths) :]
            if chunks:
                token_ids = self._token_ids
                new = [[token_ids.get(token, _UNKNOWN_ID) for token in self.chunk_tokens(chunk)] for chunk in chunks]
                lengths = np.fromiter(map(len, new), dtype=np.int64, count=len(new))
                if len(learned.lengths) == 0:  # chunk id 0, the separator: one _SEPARATOR_ID token
                    lengths[0], new[0] = 1, [_SEPARATOR_ID]
                starts = len(learned.tokens) + np.cumsum(lengths) - lengths
                flat = np.fromiter((token for tokens in new for token in tokens), dtype=np.int64, count=lengths.sum())
                learned.starts = np.concatenate([learned.starts, starts])
                learned.lengths = np.concatenate([learned.lengths, lengths])
                learned.tokens = np.concatenate([learned.tokens, flat])
            return learned

    def count(self, batches: ChunkBatches) -> sp.csr_matrix:
        """The n-gram count matrix of the texts split into ``batches``."""
        with batches.index.lock:
            if batches.generation != batches.index.generation:
                raise RuntimeError("the chunk index was emptied since these batches were split; split them again")
            learned = self._learn(batches.index, batches.generation)
        parts = [self._count(ids, size, learned) for ids, size in zip(batches.ids, batches.sizes)]
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")

    def _count(self, ids: np.ndarray, n_texts: int, learned: _Learned) -> sp.csr_matrix:
        starts, lengths, tokens = learned.starts, learned.lengths, learned.tokens
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
        return sp.csr_matrix(_csr_counts(rows, columns, n_texts, self._n_features, np.float32))


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
