"""Text normalization shared by training and prediction.

Texts are lower-cased, tokenized by spaCy's blank English tokenizer and
lemmatized with spaCy's lookup lemmatizer (tables from ``spacy-lookups-data``;
nothing is downloaded). Tokens that carry no meaning for the label but blow up
the vocabulary are replaced by placeholders: ``<num>``, ``<ver>``, ``<ip>``,
``<url>``, ``<email>``, ``<path>``, ``<file>``, ``<ticket>`` and ``<host>``.
Punctuation is dropped, and so are stop words unless asked otherwise, and
so are chunks of more than ``MAX_CHUNK_LENGTH`` characters without whitespace
(encoded blobs, hashes, garbage), which also keeps spaCy's input short.

spaCy's tokenizer splits on whitespace first and then treats every
whitespace-delimited chunk on its own, so the result for a chunk never depends
on its neighbours. The normalizer therefore caches the normalized form of each
distinct chunk and only calls spaCy for chunks it has not seen: the hot path is
``str.split`` plus dictionary look-ups. :meth:`TextNormalizer.normalize_many`
splits a whole batch at once (see :func:`split_batch`) and looks every chunk up
in one pass. A chunk that is plain ASCII letters, possibly wrapped in quotes,
brackets or trailing punctuation, and that no tokenizer exception touches, is
one spaCy token plus punctuation: its form comes straight from the lemma table,
without spaCy (``tests/test_normalize.py`` checks both paths agree).

>>> normalize = TextNormalizer()
>>> normalize("Restarted the print spoolers on srv-prt01 after INC0012345")
'restart print spoolers <host> <ticket>'
>>> normalize("Upgrade Java to v17.0.2 on 10.0.0.12, see https://wiki/x")
'upgrade java <ver> <ip> <url>'
"""

from __future__ import annotations

import itertools
import operator
import re
import sys
import threading
from collections.abc import Iterable
from typing import Any, cast

from sklearn.base import BaseEstimator, TransformerMixin

from classifier import spacy_resources
from classifier.predictions import TextInputMixin, check_texts

__all__ = ["TextNormalizer", "NormalizeTexts", "MASK_TOKENS", "STOP_WORDS", "TIME_WORDS", "split_batch"]

MASK_TOKENS = ("<num>", "<ver>", "<ip>", "<url>", "<email>", "<path>", "<file>", "<ticket>", "<host>")

# spaCy's English stop words, less the ones that carry meaning for the labels
# ("new" vs existing, "not working", "back up", "set up", "first line" ...).
_KEEP_WORDS = {
    "new",
    "not",
    "no",
    "up",
    "down",
    "back",
    "off",
    "out",
    "full",
    "empty",
    "first",
    "next",
    "last",
    "top",
    "front",
    "call",
    "show",
    "move",
    "over",
    "without",
    "none",
    "n't",
    "n‘t",
    "n’t",
}

_FILE_EXTENSIONS = (
    "txt|log|csv|tsv|xls|xlsx|xlsm|doc|docx|pdf|ppt|pptx|exe|msi|zip|7z|rar|json|xml|yaml|yml|"
    "py|sh|bat|ps1|conf|cfg|ini|dll|jar|war|sql|bak|iso|vmdk|ova|pst|ost|png|jpg|jpeg|gif|html|htm|js|css"
)

# Ordered: the first pattern that matches a whole chunk (edge punctuation stripped) wins.
_MASK_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), token)
    for pattern, token in (
        (r"(?:https?|ftp)://\S+|www\.\S+", "<url>"),
        (r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", "<email>"),
        (r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?(?::\d+)?", "<ip>"),
        (r"(?:[a-z]:\\|\\\\|~?/)[^\s]*", "<path>"),
        (r"[^\s\\]*\\[^\s]+", "<path>"),
        (rf"[\w-]+(?:\.[\w-]+)*\.(?:{_FILE_EXTENSIONS})", "<file>"),
        (r"(?:inc|req|chg|ritm|prb|sr|tkt|task|sctask|ticket|case|wo|cr)[-#_]?\d{3,}", "<ticket>"),
        (r"#\d{2,}|[a-z]{2,10}-\d{1,6}", "<ticket>"),
        (r"v\d+(?:\.\d+)*[a-z0-9-]*|\d+(?:\.\d+){2,}[a-z0-9-]*", "<ver>"),
        (
            r"[\d][\d.,:/-]*(?:h|hr|hrs|m|min|mins|gb|tb|mb|kb|ghz|mhz|k|x|%|st|nd|rd|th|am|pm|ms|s|d|w|"
            r"y|yr|yrs|mbps|gbps|pc|pcs)?",
            "<num>",
        ),
        (r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*[-_][a-z]*\d+[a-z0-9]*", "<host>"),
        (r"[a-z0-9-]+(?:\.[a-z0-9-]+){2,}|[a-z0-9-]*\d[a-z0-9-]*\.(?:local|corp|internal|lan|intra)", "<host>"),
    )
)
#: Whitespace-delimited chunks longer than this are dropped (see ``TextNormalizer``).
MAX_CHUNK_LENGTH = 100
_EDGE_PUNCTUATION = "\"'`()[]{}<>,;:!?.*"


#: Timestamp words, dropped with the stop words: ticket exports and worklogs are full of
#: weekdays, months and "pm", which say when the work was logged, not what it is. Short forms
#: that are also words or acronyms ("sat", "sun", "mar", "may") are not in the list.
TIME_WORDS = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri
    january february march april june july august september october november december
    jan feb apr jun jul aug sep sept oct nov dec
    am pm today tomorrow yesterday tonight
    """.split()
)


def _build_stop_words() -> frozenset[str]:
    kept = frozenset(word for word in spacy_resources.stop_words() if word not in _KEEP_WORDS)
    return kept | {"'s", "s"} | TIME_WORDS


STOP_WORDS: frozenset[str] = _build_stop_words()

#: Separates texts in one joined batch; a chunk of its own after splitting (see ``split_batch``).
BATCH_SEPARATOR = "\x00"
# A chunk that spaCy's English tokenizer splits into the letters and punctuation tokens (checked
# against spaCy in tests/test_normalize.py), unless a tokenizer exception ("cannot", "etc.") applies.
_PLAIN_CHUNK = re.compile(r"([\"'(\[]*)([a-z]+)([\"'),.;:!?\]]*)")
# A chunk of these characters alone has no token that is masked or holds a letter or digit: it is dropped.
_PUNCTUATION_CHUNK = re.compile(r"[\"'()\[\],.;:!?]+")


def split_batch(texts: list[str]) -> list[str] | None:
    """Lower-case and split all texts into whitespace chunks at once, with ``BATCH_SEPARATOR`` between texts.

    Returns None when a text itself holds the separator character (callers then go text by text).

    >>> split_batch(["Reset  PWD", "", "VPN down"])
    ['reset', 'pwd', '\\x00', '\\x00', 'vpn', 'down']
    """
    if not texts:
        return []
    joined = f" {BATCH_SEPARATOR} ".join(map(str.lower, texts))
    if joined.count(BATCH_SEPARATOR) != len(texts) - 1:
        return None
    return joined.split()


def mask_token(chunk: str) -> str | None:
    """Return the placeholder for a lower-cased chunk that is a number, URL, id..., else None.

    >>> mask_token("srv-db01"), mask_token("192.168.1.20"), mask_token("server")
    ('<host>', '<ip>', None)
    """
    stripped = chunk.strip(_EDGE_PUNCTUATION)
    if not stripped:
        return None
    for pattern, token in _MASK_PATTERNS:
        if pattern.fullmatch(stripped):
            return token
    return None


#: Approximate bytes one cache entry adds besides its two strings: its slot in the dict's tables.
_ENTRY_OVERHEAD = 100
#: ``normalize_many`` splits a larger batch into pieces of about this many characters (bounds its working memory).
BATCH_CHARACTERS = 2_000_000


class _ChunkCache:
    """Normalized forms of chunks, up to about ``max_bytes`` of memory (keys, values and dict slots).

    Only chunks of at most ``MAX_CHUNK_LENGTH`` characters are kept (longer ones normalize to nothing at once,
    and one pasted blob could otherwise fill the cache). When new forms do not fit, they are added while they
    fit and the rest is not kept; the cache is emptied first only once it has, since it was last emptied,
    missed more chunks than it served and at least ``STALE_MISSES`` times as many as it holds (the texts
    changed). A working set larger than the cache, read again on every cross-validation pass, thus keeps what
    fits, where emptying and refilling recomputed every chunk on every pass.
    """

    STALE_MISSES = 4

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.forms: dict[str, str] = {BATCH_SEPARATOR: "\n"}  # marks the end of a text in normalize_many
        self.nbytes = 0
        self.served = 0
        self.missed = 0

    def add(self, found: dict[str, str], served: int = 0, missed: int = 1) -> None:
        """Keep the new ``found`` forms that fit (call with ``lock`` held).

        ``served`` and ``missed``: how many of the chunks asked for were in the cache and how many were not.
        """
        self.served += served
        self.missed += missed
        entries = [
            (chunk, form, sys.getsizeof(chunk) + sys.getsizeof(form) + _ENTRY_OVERHEAD)
            for chunk, form in found.items()
            if len(chunk) <= MAX_CHUNK_LENGTH
        ]
        stale = self.missed > self.served and self.missed >= self.STALE_MISSES * len(self.forms)
        if stale and self.nbytes + sum(size for _, _, size in entries) > self.max_bytes:
            self.clear()
        for chunk, form, size in entries:
            if self.nbytes + size > self.max_bytes:
                return
            self.forms[chunk] = form
            self.nbytes += size


_SHARED_CACHES: dict[tuple, _ChunkCache] = {}
_SHARED_LOCK = threading.Lock()


def _shared_cache(config: dict[str, object], cache_bytes: int) -> _ChunkCache:
    """The chunk cache of every normalizer with these settings and cache budget in this process."""
    key = (*sorted(config.items()), cache_bytes)
    with _SHARED_LOCK:
        if key not in _SHARED_CACHES:
            _SHARED_CACHES[key] = _ChunkCache(cache_bytes)
        return _SHARED_CACHES[key]


def _plain_tables(lemmatize: bool) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The lemma table (empty without lemmatization) and the tokenizer exceptions used without spaCy."""
    return (spacy_resources.lemma_lookup() if lemmatize else {}, spacy_resources.tokenizer_exceptions())


class TextNormalizer:
    """Turn raw text into a space-separated string of normalized tokens.

    Parameters
    ----------
    lemmatize : bool, default True
        Replace each token by its lemma from spaCy's English lookup table.
    remove_stop_words : bool, default True
        Drop English stop words (spaCy's list, less words that matter here
        such as "new", "not", "up", "back") and timestamp words
        (``TIME_WORDS``: weekdays, months, "am", "pm", "today").
    mask : bool, default True
        Replace numbers, versions, IPs, URLs, e-mails, paths, file names,
        ticket ids and host names by placeholder tokens.
    cache_bytes : int, default 128 MiB
        Memory the cache of normalized whitespace-delimited chunks may take
        (about 700,000 short chunks); see ``_ChunkCache`` for what is kept when
        it is full. Normalizers with the same settings and cache budget in
        one process share their cache.
    """

    def __init__(
        self,
        lemmatize: bool = True,
        remove_stop_words: bool = True,
        mask: bool = True,
        cache_bytes: int = 128 * 2**20,
    ) -> None:
        self.lemmatize = lemmatize
        self.remove_stop_words = remove_stop_words
        self.mask = mask
        self.cache_bytes = cache_bytes
        # Normalizers with the same settings share one cache (cross-validation makes many of them).
        self._chunk_cache = _shared_cache(self.get_config(), cache_bytes)
        self._cache_lock = self._chunk_cache.lock

    def get_config(self) -> dict[str, object]:
        """The settings that define this normalizer's output (stored in model bundles)."""
        return {"lemmatize": self.lemmatize, "remove_stop_words": self.remove_stop_words, "mask": self.mask}

    def __getstate__(self) -> dict[str, object]:
        # spaCy objects and the cache are rebuilt in the receiving process (joblib workers).
        return {"config": self.get_config(), "cache_bytes": self.cache_bytes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        TextNormalizer.__init__(self, **state["config"], cache_bytes=state["cache_bytes"])

    @property
    def _cache(self) -> dict[str, str]:
        return self._chunk_cache.forms

    def _pipeline(self):
        return spacy_resources.english_pipeline(self.lemmatize)

    def _plain_tables(self) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
        return _plain_tables(self.lemmatize)

    def _normalize_plain(self, chunk: str) -> str | None:
        """The form of a plain-letters chunk without spaCy, or None if the chunk needs spaCy."""
        match = _PLAIN_CHUNK.fullmatch(chunk)
        if match is None:
            return "" if _PUNCTUATION_CHUNK.fullmatch(chunk) else None
        lemmas, exceptions = self._plain_tables()
        prefix, word, suffix = match.groups()
        if prefix or suffix:
            # spaCy checks its exceptions on every string left while it strips punctuation off the ends.
            start = len(prefix)
            end = start + len(word)
            for i in range(start + 1):
                for j in range(end, len(chunk) + 1):
                    if chunk[i:j] in exceptions:
                        return None
        elif word in exceptions:
            return None
        if self.remove_stop_words and word in STOP_WORDS:
            return ""
        if self.lemmatize:
            word = lemmas.get(word, word).lower()
            if self.remove_stop_words and word in STOP_WORDS:
                return ""
        return word

    def normalize_chunk(self, chunk: str) -> str:
        """The normalized form of one lower-cased chunk without whitespace (not cached).

        >>> TextNormalizer().normalize_chunk("(servers),")
        'server'
        """
        if len(chunk) > MAX_CHUNK_LENGTH:
            return ""  # no word is that long: an encoded blob, a pasted hash or garbage
        plain = self._normalize_plain(chunk)
        if plain is not None:
            return plain
        lemmas, exceptions = self._plain_tables()
        pieces = exceptions.get(chunk)
        if pieces is None:
            return self._normalize_chunk(chunk)
        # A tokenizer exception ("cannot" -> "can", "not"): spaCy's tokens are known without spaCy.
        if self.mask:
            placeholder = mask_token(chunk)
            if placeholder is not None:
                return placeholder
        forms = []
        for text in pieces:
            if not (spacy_resources.is_punct(text) or text.isspace()):
                form = self._token_form(text, lemmas.get(text, text))
                if form is not None:
                    forms.append(form)
        return " ".join(forms)

    def _normalize_chunk(self, chunk: str) -> str:
        """The reference path: spaCy's tokenizer and lemmatizer on one chunk."""
        if len(chunk) > MAX_CHUNK_LENGTH:
            return ""  # no word is that long: an encoded blob, a pasted hash or garbage
        # Lone surrogates (from broken decoding) cannot go through spaCy's string store.
        chunk = chunk.encode("utf-8", "replace").decode("utf-8")
        if self.mask:
            placeholder = mask_token(chunk)
            if placeholder is not None:
                return placeholder
        tokens = []
        for token in self._pipeline()(chunk):
            if token.is_punct or token.is_space:
                continue
            form = self._token_form(token.text, token.lemma_ if self.lemmatize else "")
            if form is not None:
                tokens.append(form)
        return " ".join(tokens)

    def _token_form(self, text: str, lemma: str) -> str | None:
        """The form of one token that is not punctuation or space, or None to drop it."""
        if self.mask:
            placeholder = mask_token(text)
            if placeholder is not None:
                return placeholder
        if not any(character.isalnum() for character in text):
            return None
        if self.remove_stop_words and text in STOP_WORDS:
            return None
        word = lemma.lower() if self.lemmatize else text
        if self.remove_stop_words and word in STOP_WORDS:
            return None
        return word

    def __call__(self, text: str) -> str:
        """Normalize one text (a ``str``)."""
        cache = self._cache
        parts = []
        found: dict[str, str] = {}
        missed = 0
        chunks = text.lower().split()
        for chunk in chunks:
            normalized = cache.get(chunk) if chunk != BATCH_SEPARATOR else None
            if normalized is None:
                missed += 1
                normalized = found.get(chunk)
                if normalized is None:
                    normalized = self.normalize_chunk(chunk)
                    if chunk != BATCH_SEPARATOR:
                        found[chunk] = normalized
            if normalized:
                parts.append(normalized)
        if found:
            with self._cache_lock:
                self._chunk_cache.add(found, served=len(chunks) - missed, missed=missed)
        return " ".join(parts)

    def chunk_forms(self, chunks: list[str]) -> list[str]:
        """The normalized form of each chunk, from the cache; new chunks are normalized and cached.

        ``BATCH_SEPARATOR`` chunks come back as ``"\\n"``.
        """
        with self._cache_lock:
            forms = list(map(self._cache.get, chunks))
            if None not in forms:
                return cast("list[str]", forms)
            missing = set(itertools.compress(chunks, map(operator.is_, forms, itertools.repeat(None))))
            found = {chunk: self.normalize_chunk(chunk) for chunk in missing}
            missed = forms.count(None)
            served = len(chunks) - missed - chunks.count(BATCH_SEPARATOR)
            self._chunk_cache.add(found, served=served, missed=missed)
        # Each chunk's cached form, else its new one: every chunk has one or the other, so no None is left.
        return cast("list[str]", list(map(found.get, chunks, forms)))

    def normalize_many(self, texts: Iterable[str]) -> list[str]:
        """Normalize many texts; same as ``[normalizer(t) for t in texts]``, faster."""
        texts = texts if isinstance(texts, list) else list(texts)
        if sum(map(len, texts)) > BATCH_CHARACTERS:  # in pieces: the chunk lists of one piece at a time
            pieces, size, start = [], 0, 0
            for end, text in enumerate(texts, 1):
                size += len(text)
                if size >= BATCH_CHARACTERS or end == len(texts):
                    pieces.extend(self._normalize_batch(texts[start:end]))
                    size, start = 0, end
            return pieces
        return self._normalize_batch(texts)

    def _normalize_batch(self, texts: list[str]) -> list[str]:
        chunks = split_batch(texts)
        if chunks is None:
            return [self(text) for text in texts]
        if not texts:
            return []
        # Empty forms are dropped; each separator became a line break between two texts.
        joined = " ".join(filter(None, self.chunk_forms(chunks)))
        return [text.strip(" ") for text in joined.split("\n")]

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"TextNormalizer({settings})"


class NormalizeTexts(TextInputMixin, TransformerMixin, BaseEstimator):
    """A scikit-learn transformer from raw texts to their normalized strings (for pipelines of other vectorizers).

    >>> NormalizeTexts().fit_transform(["Restarted the print spoolers"])
    ['restart print spoolers']
    """

    def __init__(self, *, lemmatize: bool = True, remove_stop_words: bool = True, mask: bool = True) -> None:
        self.lemmatize = lemmatize
        self.remove_stop_words = remove_stop_words
        self.mask = mask

    def fit(self, texts, y=None) -> NormalizeTexts:
        return self

    def transform(self, texts) -> list[str]:
        normalizer = TextNormalizer(lemmatize=self.lemmatize, remove_stop_words=self.remove_stop_words, mask=self.mask)
        return normalizer.normalize_many(check_texts(texts))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags
