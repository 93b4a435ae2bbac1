"""spaCy resources, loaded once per process: pipelines, lookup tables, tokenizer exceptions, stop words.

Everything comes from spaCy's English language data and the tables that ship
in ``spacy-lookups-data``; nothing is downloaded. Each loader builds its
resource on first use, under a lock, and returns the same object afterwards,
from any thread; only the large word-probability table is read afresh on each
call. The returned tables are shared: read them, never change them.

>>> english_pipeline() is english_pipeline()
True
>>> [token.text for token in english_pipeline()("can't stop")]
['ca', "n't", 'stop']
>>> lemma_lookup()["servers"], tokenizer_exceptions()["cannot"]
('server', ('can', 'not'))
>>> [sentence.text for sentence in sentence_pipeline()("Patch servers. Run the CAB.").sents]
['Patch servers.', 'Run the CAB.']
"""

from __future__ import annotations

import functools
import gzip
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = [
    "english_pipeline",
    "MAX_LEXEMES",
    "sentence_pipeline",
    "lookup_table",
    "lemma_lookup",
    "lexeme_log_probs",
    "tokenizer_exceptions",
    "stop_words",
    "is_punct",
]

_T = TypeVar("_T")

#: Longest text the sentence pipeline accepts (spaCy's default is 1,000,000 characters).
SENTENCE_MAX_LENGTH = 10_000_000


def _loaded_once(load: Callable[..., _T]) -> Callable[..., _T]:
    """Cache ``load`` by its positional arguments; a lock makes sure each resource is built only once."""
    cache: dict[tuple, _T] = {}
    lock = threading.Lock()

    @functools.wraps(load)
    def cached(*args):
        try:
            return cache[args]
        except KeyError:
            pass
        with lock:
            if args not in cache:
                cache[args] = load(*args)
            return cache[args]

    return cached


#: spaCy keeps a lexeme (about 600 bytes) for every distinct string its tokenizer has seen, for the life of the
#: pipeline: 50 texts of 1.2 MB of ids and codes grew it by gigabytes. Past this many lexemes,
#: :func:`english_pipeline` returns a fresh pipeline (its tokens and lemmas do not depend on what it has seen).
MAX_LEXEMES = 200_000

_ENGLISH_PIPELINES: dict[bool, Language] = {}
_ENGLISH_LOCK = threading.Lock()


def english_pipeline(lemmatize: bool = False) -> Language:
    """spaCy's blank English pipeline (its tokenizer), with the lookup lemmatizer if ``lemmatize``.

    The same object on every call, until its vocabulary holds more than ``MAX_LEXEMES`` strings.
    """
    nlp = _ENGLISH_PIPELINES.get(lemmatize)
    if nlp is not None and len(nlp.vocab) <= MAX_LEXEMES:
        return nlp
    with _ENGLISH_LOCK:
        nlp = _ENGLISH_PIPELINES.get(lemmatize)
        if nlp is None or len(nlp.vocab) > MAX_LEXEMES:
            nlp = _ENGLISH_PIPELINES[lemmatize] = _new_english_pipeline(lemmatize)
        return nlp


def _new_english_pipeline(lemmatize: bool) -> Language:
    import spacy

    nlp = spacy.blank("en")
    if lemmatize:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    return nlp


@_loaded_once
def sentence_pipeline() -> Language:
    """spaCy's blank English pipeline with the rule-based sentencizer, for texts of up to 10 million characters."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.max_length = SENTENCE_MAX_LENGTH
    return nlp


def lookup_table(name: str) -> dict:
    """One English table of ``spacy-lookups-data`` by name (``"lemma_lookup"``, ``"lexeme_prob"``...), read now.

    The file spaCy's own lookup lemmatizer loads (``NAME.json`` or ``NAME.json.gz``), parsed by
    the standard ``json`` module: spaCy's parser (``srsly``) rounds some floats in the last digit.
    Not cached: the cached tables have their own loaders below.
    """
    from spacy.util import registry

    path = Path(registry.lookups.get("en")[name])
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    with gzip.open(path.with_name(path.name + ".gz"), "rt", encoding="utf-8") as handle:
        return json.load(handle)


@_loaded_once
def lemma_lookup() -> dict[str, str]:
    """spaCy's English lookup-lemmatizer table: word -> lemma (``"servers"`` -> ``"server"``)."""
    return lookup_table("lemma_lookup")


def lexeme_log_probs() -> dict[str, float]:
    """General-English word log-probabilities (``en_lexeme_prob``), in the file's order.

    Read on every call and not kept: a million entries take about 200 MB as a dict, so callers
    derive what they need from it and keep that instead.
    """
    return lookup_table("lexeme_prob")


@_loaded_once
def tokenizer_exceptions() -> dict[str, tuple[str, ...]]:
    """spaCy's English tokenizer exceptions: chunk -> the texts of the tokens it is split into."""
    from spacy.lang.en import English
    from spacy.symbols import ORTH

    return {
        key: tuple(piece[ORTH] for piece in pieces) for key, pieces in English.Defaults.tokenizer_exceptions.items()
    }


@_loaded_once
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, unchanged (``classifier.normalize.STOP_WORDS`` is the list in use)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def is_punct(text: str) -> bool:
    """What spaCy's ``Token.is_punct`` says for an English token's text.

    >>> is_punct("..."), is_punct("n't")
    (True, False)
    """
    from spacy.lang.lex_attrs import is_punct as spacy_is_punct

    return spacy_is_punct(text)
