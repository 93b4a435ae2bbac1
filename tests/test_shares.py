from collections import Counter

import pandas as pd
import pytest

from classifier.labels import LABEL_IDS
from classifier.shares import label_shares, label_totals


def test_shares_follow_label_order_and_sum_to_one():
    shares = label_shares({"business_enabling": 2.0, "ktlo": 1.0, "commodity_outsourceable": 1.0})
    assert list(shares) == list(LABEL_IDS)
    assert shares == {"ktlo": 0.25, "commodity_outsourceable": 0.25, "business_enabling": 0.5}


@pytest.mark.parametrize("totals", [{}, {"ktlo": 0.0}, Counter()])
def test_no_total_gives_zero_shares(totals):
    assert label_shares(totals) == dict.fromkeys(LABEL_IDS, 0.0)


def test_counts_series_and_explicit_total_are_accepted():
    assert label_shares(Counter({"ktlo": 1}), total=4)["ktlo"] == 0.25
    series = pd.Series([1.0, 3.0, 0.0], index=list(LABEL_IDS))
    shares = label_shares(series)
    assert shares["commodity_outsourceable"] == 0.75 and all(type(value) is float for value in shares.values())


def test_totals_count_each_label_once_or_by_weight():
    assert label_totals(["ktlo", "ktlo"]) == {"ktlo": 2.0, "commodity_outsourceable": 0.0, "business_enabling": 0.0}
    assert label_totals(["business_enabling", "ktlo"], [0.5, 2])["business_enabling"] == 0.5
