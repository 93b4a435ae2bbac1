"""Corpus statistics and checks for ``training/data/corpus.csv``.

``python -m training.corpus`` rewrites the counts section of
``training/data/README.md`` (between the ``<!-- counts -->`` markers) from the
corpus itself, so the numbers there are never typed by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from classifier.markdown import markdown_table
from training.data import default_corpus_path, duplicate_key

__all__ = [
    "CORPUS_COLUMNS",
    "EDGE_TAGS",
    "REGISTERS",
    "read_corpus",
    "counts_markdown",
    "near_duplicate_pairs",
    "similar_pairs",
    "update_readme",
]

CORPUS_COLUMNS = ["text", "label", "register", "domain", "note"]
REGISTERS = ("ticket", "worklog", "job_duty", "backlog", "portfolio", "task_statement", "meeting_note")
EDGE_TAGS = (
    "purpose_vs_verb",
    "new_vs_existing",
    "standard_vs_specific",
    "management",
    "tech_for_own_sake",
    "security",
    "testing",
    "generic_programming",
    "project_management",
    "infra_design",
    "business_app_requests",
    "new_internal_systems",
)
_START, _END = "<!-- counts -->", "<!-- /counts -->"


def read_corpus(path: Path | None = None) -> pd.DataFrame:
    """The corpus with all its columns, as strings."""
    return pd.read_csv(path or default_corpus_path(), dtype=str, keep_default_na=False)


def near_duplicate_pairs(texts: list[str], threshold: float = 0.9) -> list[tuple[int, int, float]]:
    """Pairs of positions whose TF-IDF cosine similarity exceeds ``threshold``.

    >>> near_duplicate_pairs(["reset my password now", "reset my password now please", "order a laptop"], 0.8)
    [(0, 1, 0.84)]
    """
    return [(i, j, value) for i, j, value in similar_pairs(texts, texts, threshold) if i < j]


def similar_pairs(texts: list[str], others: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """Positions ``(i, j)`` of ``texts[i]`` and ``others[j]`` whose TF-IDF cosine similarity exceeds ``threshold``.

    TF-IDF is fitted on both lists. Used to keep near-duplicates out of the
    corpus, and paraphrases of the evaluation data.

    >>> similar_pairs(["Back up the file servers nightly.", "Build a loyalty app"], ["back up file servers"], 0.6)
    [(0, 0, 0.73)]
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    keys = [duplicate_key(text) for text in texts]
    other_keys = keys if others is texts else [duplicate_key(text) for text in others]
    vectorizer = TfidfVectorizer().fit(keys if others is texts else keys + other_keys)
    matrix = vectorizer.transform(keys)
    other_matrix = matrix if others is texts else vectorizer.transform(other_keys)
    similarity = (matrix @ other_matrix.T).tocoo()
    return sorted(
        (int(i), int(j), round(float(v), 2))
        for i, j, v in zip(similarity.row, similarity.col, similarity.data)
        if v > threshold
    )


def _table(counts: pd.Series, name: str, total: int) -> list[str]:
    rows = [[key or "(none)", value, f"{value / total:.1%}"] for key, value in counts.items()]
    return markdown_table([name, "examples", "share"], rows)


def counts_markdown(corpus: pd.DataFrame) -> str:
    """Markdown tables of the corpus counts by label, register, domain and edge-rule tag."""
    total = len(corpus)
    lines = [f"{total} examples. Produced by `python -m training.corpus`; do not edit by hand.", ""]
    lines += _table(corpus["label"].value_counts(), "label", total) + [""]
    lines += _table(corpus["register"].value_counts(), "register", total) + [""]
    lines += _table(corpus["domain"].value_counts(), "domain", total) + [""]
    tags = corpus.loc[corpus["note"] != "", "note"].value_counts()
    rows = []
    for tag, count in tags.items():
        by_label = corpus.loc[corpus["note"] == tag, "label"].value_counts()
        rows.append([tag, count, ", ".join(f"{k} {v}" for k, v in by_label.items())])
    lines += markdown_table(["edge rule / settled case (`note`)", "examples", "by label"], rows)
    words = corpus["text"].str.split().str.len()
    lines += [
        "",
        f"Length in words: median {int(np.median(words))}, shortest {words.min()}, longest {words.max()}; "
        f"{(words <= 6).mean():.0%} have at most 6 words, {(words > 25).mean():.0%} more than 25.",
    ]
    return "\n".join(lines)


def update_readme(readme: Path, corpus: pd.DataFrame) -> None:
    text = readme.read_text(encoding="utf-8")
    if _START not in text or _END not in text:
        raise ValueError(f"{readme} has no {_START} ... {_END} section to fill")
    head, rest = text.split(_START, 1)
    _, tail = rest.split(_END, 1)
    readme.write_text(f"{head}{_START}\n{counts_markdown(corpus)}\n{_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.corpus", description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the counts instead of updating the README")
    args = parser.parse_args(argv)
    corpus = read_corpus()
    if args.print:
        print(counts_markdown(corpus))
    else:
        update_readme(default_corpus_path().parent / "README.md", corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
