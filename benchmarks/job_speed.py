"""Speed of split_activities / analyze_job on long texts and of analyze_portfolio on a large timesheet.

Uses only the project's own examples (no ../shared needed):

    python benchmarks/job_speed.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifier import analyze_job, analyze_portfolio, load_model, read_table, split_activities  # noqa: E402


def best_of(repeats: int, function) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    model = load_model()
    ad = (ROOT / "examples" / "job_ad.txt").read_text(encoding="utf-8")
    split_activities(ad)  # build spaCy's sentencizer once
    texts = {
        "job ad repeated to 50,000 chars": (ad * (50_000 // len(ad) + 1))[:50_000],
        "one 50,000-char paragraph of sentences": ("Patched the claims server. Met sales about the portal. " * 1000)[
            :50_000
        ],
        "one 50,000-char line without spaces": "x" * 50_000,
    }
    print("| input | pieces | split_activities s | analyze_job s |")
    print("|---|---|---|---|")
    for name, text in texts.items():
        pieces = len(split_activities(text))
        split_s = best_of(3, lambda text=text: split_activities(text))
        job_s = best_of(3, lambda text=text: analyze_job(text, model=model))
        print(f"| {name} | {pieces} | {split_s:.3f} | {job_s:.3f} |")
    sheet = read_table(ROOT / "examples" / "team_timesheet.csv")
    big = pd.concat([sheet] * 100, ignore_index=True)
    portfolio_s = best_of(3, lambda: analyze_portfolio(big, "task", "hours", ["team", "person"], model=model))
    print(f"\nanalyze_portfolio, {len(big):,} rows, two group columns: {portfolio_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
