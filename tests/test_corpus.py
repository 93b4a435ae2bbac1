"""The shipped training corpus: well-formed, balanced, varied, free of duplicates."""

import pandas as pd
import pytest

from classifier import LABEL_IDS
from classifier.normalize import TextNormalizer
from training.corpus import CORPUS_COLUMNS, EDGE_TAGS, REGISTERS, near_duplicate_pairs, read_corpus, similar_pairs
from training.dev_sets import shared_data_dir


@pytest.fixture(scope="module")
def corpus():
    return read_corpus()


def test_columns_and_values(corpus):
    assert list(corpus.columns) == CORPUS_COLUMNS
    assert set(corpus["label"]) == set(LABEL_IDS)
    assert set(corpus["register"]) <= set(REGISTERS)
    assert set(corpus.loc[corpus["note"] != "", "note"]) <= set(EDGE_TAGS)
    assert (corpus["text"].str.strip() != "").all()


def test_size_and_label_balance(corpus):
    assert len(corpus) >= 3000
    shares = corpus["label"].value_counts(normalize=True)
    assert shares.between(0.28, 0.40).all(), shares.to_dict()


def test_registers_and_domains_are_varied(corpus):
    shares = corpus["register"].value_counts(normalize=True)
    required = ["ticket", "worklog", "job_duty", "backlog", "portfolio", "task_statement"]
    assert all(shares.get(register, 0) >= 0.10 for register in required), shares.to_dict()
    assert corpus["domain"].nunique() >= 12


def test_every_edge_rule_has_30_examples(corpus):
    counts = corpus["note"].value_counts()
    assert {tag: int(counts.get(tag, 0)) for tag in EDGE_TAGS if counts.get(tag, 0) < 30} == {}


def test_no_exact_duplicates_after_normalization(corpus):
    normalized = TextNormalizer(remove_stop_words=False, lemmatize=False).normalize_many(corpus["text"].tolist())
    keys = [(key, row) for row, key in enumerate(normalized)]
    seen: dict[str, int] = {}
    duplicates = []
    for key, row in keys:
        if key in seen:
            duplicates.append((seen[key] + 2, row + 2))
        seen.setdefault(key, row)
    assert duplicates == [], f"duplicate rows (file row numbers): {duplicates[:10]}"


def test_no_near_duplicates(corpus):
    pairs = near_duplicate_pairs(corpus["text"].tolist(), threshold=0.9)
    assert pairs == [], [(corpus.text[i], corpus.text[j], s) for i, j, s in pairs[:5]]


def test_near_duplicate_check_can_fail():
    assert near_duplicate_pairs(["Reset the VPN password for Anna", "reset the vpn password for anna!"]) != []


@pytest.mark.shared_data
def test_no_row_paraphrases_an_onet_task_statement(corpus):
    # The O*NET statements are evaluation data: the corpus must teach their distinctions, not their wording.
    path = shared_data_dir() / "onet_it_tasks.tsv"
    if not path.is_file():
        pytest.skip(f"{path} not found; this check needs ../shared/data beside the checkout")
    statements = pd.read_csv(path, sep="\t")["text"].tolist()
    pairs = similar_pairs(corpus["text"].tolist(), statements, threshold=0.6)
    assert pairs == [], [(corpus["text"][i], score) for i, _, score in pairs[:5]]
