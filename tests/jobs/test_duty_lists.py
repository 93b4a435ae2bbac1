import pytest

from classifier.jobs.duty_lists import split_duty_list, verb_forms


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("resetting", {"ing"}),
        ("patched", {"ed"}),
        ("built", {"ed"}),
        ("patch", {"base"}),
        ("reset", {"base", "ed"}),
        ("including", set()),
        ("servers", set()),
        ("networks", set()),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_verb_forms(word, forms):
    assert verb_forms(word) == forms


def duties(sentence):
    return [sentence[a:b] for a, b in split_duty_list(sentence, 0, len(sentence))]


def test_a_past_tense_that_is_also_the_base_form_continues_a_work_log_list():
    assert duties("Patched the CRM, reset passwords for the shop staff and built the loyalty app") == [
        "Patched the CRM",
        "reset passwords for the shop staff",
        "built the loyalty app",
    ]


def test_spans_are_offsets_into_the_whole_text():
    text = "Notes. You will be patching our CRM and building a new app. Thanks"
    start, end = text.index("You"), text.index(" Thanks")
    assert [text[a:b] for a, b in split_duty_list(text, start, end)] == [
        "You will be patching our CRM",
        "building a new app.",
    ]
