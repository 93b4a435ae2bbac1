import threading

from classifier import spacy_resources
from classifier.spacy_resources import (
    english_pipeline,
    lemma_lookup,
    lexeme_log_probs,
    sentence_pipeline,
    stop_words,
    tokenizer_exceptions,
)


def test_lemma_table_is_the_one_spacy_loads():
    from spacy.lookups import load_lookups

    table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    lemmas = lemma_lookup()
    assert len(lemmas) == len(table) > 10_000
    assert all(table.get(word) == lemma for word, lemma in lemmas.items())


def test_lemmatizing_pipeline_uses_the_same_table():
    doc = english_pipeline(True)("servers were running")
    assert [token.lemma_ for token in doc] == [lemma_lookup().get(t.text, t.text) for t in doc]
    assert english_pipeline(True) is not english_pipeline(False)
    assert "lemmatizer" not in english_pipeline(False).pipe_names


def test_loaders_build_each_resource_once_across_threads():
    results: list[object] = []

    def load() -> None:
        results.append((sentence_pipeline(), tokenizer_exceptions(), stop_words(), lemma_lookup()))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert all(all(a is b for a, b in zip(result, results[0])) for result in results)


def test_sentence_pipeline_takes_long_texts():
    assert sentence_pipeline().max_length == spacy_resources.SENTENCE_MAX_LENGTH > 1_000_000


def test_word_probabilities_are_read_afresh_and_parsed_exactly():
    first = lexeme_log_probs()
    assert first is not lexeme_log_probs()  # not kept: about 200 MB
    assert len(first) > 100_000 and first["the"] > first["server"] > -30
    # spaCy's own parser (srsly) reads -4.8599386215 as -4.8599386214999996; the background of
    # classifier.scope was computed from exactly parsed values.
    assert first["n't"] == -4.8599386215


def test_stop_words_are_spacys():
    from spacy.lang.en.stop_words import STOP_WORDS

    assert stop_words() == STOP_WORDS and "the" in stop_words()


def test_is_punct_follows_spacy():
    assert spacy_resources.is_punct("...") and not spacy_resources.is_punct("it")


def test_the_english_pipeline_is_renewed_when_its_vocabulary_outgrows_the_bound(monkeypatch):
    # spaCy keeps every distinct string its tokenizer has seen: garbage-heavy texts grew it by gigabytes.
    monkeypatch.setattr(spacy_resources, "MAX_LEXEMES", len(english_pipeline(True).vocab) + 50)
    first = english_pipeline(True)
    assert english_pipeline(True) is first
    tokens = [token.lemma_ for token in first(" ".join(f"x{i}-y{i}" for i in range(100)))]
    renewed = english_pipeline(True)
    assert renewed is not first and len(renewed.vocab) <= spacy_resources.MAX_LEXEMES
    assert english_pipeline(True) is renewed and "lemmatizer" in renewed.pipe_names
    assert [token.lemma_ for token in renewed(" ".join(f"x{i}-y{i}" for i in range(100)))] == tokens
