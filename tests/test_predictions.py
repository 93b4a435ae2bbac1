"""check_texts: the one check of texts at every public entry point, and the cap on their length."""

import pytest

from classifier.errors import TextTruncatedWarning
from classifier.predictions import check_texts, truncation_message


def test_texts_longer_than_the_cap_are_cut_with_one_warning_counting_them():
    texts = ["a" * 50, "short", "b" * 11, "c" * 10]
    with pytest.warns(TextTruncatedWarning) as caught:
        checked = check_texts(texts, max_chars=10)
    assert checked == ["a" * 10, "short", "b" * 10, "c" * 10]
    assert texts[0] == "a" * 50  # the caller's list is left as it was
    assert len(caught) == 1
    assert str(caught[0].message) == (
        "2 of 4 texts are longer than max_text_chars=10 characters; only the first 10 characters of each were "
        "read. Set max_text_chars= higher to read more"
    )


@pytest.mark.parametrize("max_chars", [None, 50], ids=["no-cap", "all-within-the-cap"])
def test_no_warning_when_nothing_is_cut(max_chars, recwarn):
    assert check_texts(["a" * 50], max_chars=max_chars) == ["a" * 50]
    assert not recwarn.list


def test_truncation_message_for_one_text():
    assert truncation_message(1, 5).startswith("1 text is longer than max_text_chars=5 characters")
