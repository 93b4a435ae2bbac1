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
``str.split`` plus dictionary look-ups.

>>> normalize = TextNormalizer()
>>> normalize("Restarted the print spoolers on srv-prt01 after INC0012345")
'restart print spoolers <host> <ticket>'
>>> normalize("Upgrade Java to v17.0.2 on 10.0.0.12, see https://wiki/x")
'upgrade java <ver> <ip> <url>'
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

__all__ = ["TextNormalizer", "MASK_TOKENS", "STOP_WORDS"]

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


def _build_stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as SPACY_STOP_WORDS

    return frozenset(word for word in SPACY_STOP_WORDS if word not in _KEEP_WORDS) | {"'s", "s"}


STOP_WORDS: frozenset[str] = _build_stop_words()


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


class TextNormalizer:
    """Turn raw text into a space-separated string of normalized tokens.

    Parameters
    ----------
    lemmatize : bool, default True
        Replace each token by its lemma from spaCy's English lookup table.
    remove_stop_words : bool, default True
        Drop English stop words (spaCy's list, less words that matter here
        such as "new", "not", "up", "back").
    mask : bool, default True
        Replace numbers, versions, IPs, URLs, e-mails, paths, file names,
        ticket ids and host names by placeholder tokens.
    cache_size : int, default 500_000
        Number of distinct whitespace-delimited chunks kept in the cache;
        when full the cache is emptied and refilled.
    """

    def __init__(
        self,
        lemmatize: bool = True,
        remove_stop_words: bool = True,
        mask: bool = True,
        cache_size: int = 500_000,
    ) -> None:
        self.lemmatize = lemmatize
        self.remove_stop_words = remove_stop_words
        self.mask = mask
        self.cache_size = cache_size
        self._cache: dict[str, str] = {}
        self._nlp = None
        self._lock = threading.Lock()

    def get_config(self) -> dict[str, object]:
        """The settings that define this normalizer's output (stored in model bundles)."""
        return {"lemmatize": self.lemmatize, "remove_stop_words": self.remove_stop_words, "mask": self.mask}

    def __getstate__(self) -> dict[str, object]:
        # spaCy objects and the cache are rebuilt in the receiving process (joblib workers).
        return {"config": self.get_config(), "cache_size": self.cache_size}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(**state["config"], cache_size=state["cache_size"])  # type: ignore[arg-type]

    def _pipeline(self):
        if self._nlp is None:
            with self._lock:
                if self._nlp is None:
                    import spacy

                    nlp = spacy.blank("en")
                    if self.lemmatize:
                        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
                        nlp.initialize()
                    self._nlp = nlp
        return self._nlp

    def _normalize_chunk(self, chunk: str) -> str:
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
            text = token.text
            if self.mask:
                placeholder = mask_token(text)
                if placeholder is not None:
                    tokens.append(placeholder)
                    continue
            if not any(character.isalnum() for character in text):
                continue
            if self.remove_stop_words and text in STOP_WORDS:
                continue
            word = token.lemma_.lower() if self.lemmatize else text
            if self.remove_stop_words and word in STOP_WORDS:
                continue
            tokens.append(word)
        return " ".join(tokens)

    def __call__(self, text: str) -> str:
        """Normalize one text (a ``str``)."""
        cache = self._cache
        parts = []
        for chunk in text.lower().split():
            normalized = cache.get(chunk)
            if normalized is None:
                normalized = self._normalize_chunk(chunk)
                if len(cache) >= self.cache_size:
                    cache.clear()
                cache[chunk] = normalized
            if normalized:
                parts.append(normalized)
        return " ".join(parts)

    def normalize_many(self, texts: Iterable[str]) -> list[str]:
        """Normalize many texts; same as ``[normalizer(t) for t in texts]``."""
        return [self(text) for text in texts]

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"TextNormalizer({settings})"
