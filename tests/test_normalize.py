import pytest

from classifier import TextNormalizer
from classifier.normalize import mask_token


@pytest.mark.parametrize(
    ("chunk", "token"),
    [
        ("42", "<num>"),
        ("2h", "<num>"),
        ("12/03/2025", "<num>"),
        ("v4.2", "<ver>"),
        ("10.4.17", "<ver>"),
        ("192.168.1.20", "<ip>"),
        ("https://intranet/wiki/page", "<url>"),
        ("jane.doe@example.com", "<email>"),
        ("C:\\Users\\jane\\file", "<path>"),
        ("/var/log/syslog", "<path>"),
        ("report_q3.xlsx", "<file>"),
        ("INC0012345", "<ticket>"),
        ("jira-1234", "<ticket>"),
        ("srv-db01", "<host>"),
        ("web01.corp.local", "<host>"),
        ("server", None),
        ("o365", None),
    ],
    ids=lambda value: str(value),
)
def test_mask_token(chunk, token):
    assert mask_token(chunk.lower()) == token


def test_normalizer_lemmatizes_lowercases_and_drops_stop_words_and_punctuation():
    assert TextNormalizer()("The servers were Running backups!") == "server run backup"


def test_normalizer_keeps_words_that_matter_for_labels():
    assert TextNormalizer()("new app not working") == "new app not work"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"lemmatize": False}, "servers running backups <num>"),
        ({"remove_stop_words": False}, "the server be run backup <num>"),
        ({"mask": False}, "server run backup 42"),
    ],
    ids=["no-lemma", "keep-stop-words", "no-mask"],
)
def test_normalizer_settings(settings, expected):
    assert TextNormalizer(**settings)("The servers were running backups 42") == expected


def test_cache_gives_the_same_result_as_a_fresh_normalizer():
    texts = ["Reset pwd for jdoe@x.com!!", "reset PWD for jdoe@x.com!!", "srv-app02 down since 9am"]
    warm = TextNormalizer()
    first = warm.normalize_many(texts)
    assert warm.normalize_many(texts) == first == [TextNormalizer()(text) for text in texts]


def test_cache_is_bounded():
    normalizer = TextNormalizer(cache_size=10)
    normalizer(" ".join(f"word{i}x" for i in range(50)))
    assert len(normalizer._cache) <= 10


def test_empty_and_punctuation_only_text_normalize_to_empty():
    assert TextNormalizer()("  ... !! ") == ""
