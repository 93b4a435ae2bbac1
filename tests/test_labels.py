import pytest

from classifier import LABEL_IDS, LABELS, LabelError, parse_label


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("KTLO", "ktlo"),
        ("Keep the lights on", "ktlo"),
        ("run", "ktlo"),
        ("Commodity-outsourceable", "commodity_outsourceable"),
        ("outsource", "commodity_outsourceable"),
        ("commodity", "commodity_outsourceable"),
        ("Business enabling", "business_enabling"),
        ("grow", "business_enabling"),
        ("Transform", "business_enabling"),
        ("  business_enabling  ", "business_enabling"),
    ],
    ids=lambda value: str(value),
)
def test_parse_label_maps_spreadsheet_spellings(spelling, expected):
    assert parse_label(spelling) == expected


@pytest.mark.parametrize("value", ["maybe", "", "ktlo2"], ids=["word", "empty", "suffix"])
def test_parse_label_rejects_unknown_spelling_with_the_value(value):
    with pytest.raises(LabelError, match=rf"unknown label '{value}'; use one of: ktlo, commodity_outsourceable"):
        parse_label(value)


def test_parse_label_rejects_non_string():
    with pytest.raises(LabelError, match="label must be a string, got 3"):
        parse_label(3)


def test_every_label_has_name_and_action():
    assert set(LABELS) == set(LABEL_IDS)
    assert [LABELS[label].action.split()[0] for label in LABEL_IDS] == ["sustain", "hand", "invest"]
