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


@pytest.mark.parametrize(
    "sentence",
    [
        "Assess the physical security of servers, systems, and network devices.",
        "Use the information to identify, predict, interpret, and evaluate system requirements.",
        "Consult with and assist computer operators to resolve problems.",
        "Direct pre-production work, such as creating storyboards, and establishing a project timeline.",
        "You will patch servers, reset passwords, and network devices.",
    ],
    ids=["noun-that-is-a-verb", "verbs-sharing-an-object", "shared-preposition", "such-as-examples", "base-noun"],
)
def test_verbs_that_share_an_object_or_nouns_that_look_like_verbs_are_not_cut(sentence):
    assert duties(sentence) == [sentence]
