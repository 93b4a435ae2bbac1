from classifier.markdown import markdown_cell, markdown_table


def test_table_has_header_rule_and_rows():
    assert markdown_table(["a", "b"], [[1, 2.5], ("x", None)]) == [
        "| a | b |",
        "|---|---|",
        "| 1 | 2.5 |",
        "| x | None |",
    ]


def test_table_without_rows_is_header_and_rule():
    assert markdown_table(["only"], []) == ["| only |", "|---|"]


def test_cells_cannot_break_the_table():
    assert markdown_cell("a|b\nc") == "a\\|b c"
    assert markdown_table(["x|y"], [["1\n2"]]) == ["| x\\|y |", "|---|", "| 1 2 |"]
