"""Look at a portfolio report as a reader would: render its HTML in headless Chromium and save a screenshot.

    python examples/report_screenshot.py                       # a demo report: 50 groups, long names, $ and <script>
    python examples/report_screenshot.py team_report/report.html --output team_report.png

Without a report, the script builds a demo from invented, already-scored rows
(no model is loaded, so it takes seconds): 50 groups of very different sizes,
names up to 60 characters, one with ``$`` signs and one with a ``<script>``
tag, and long activity texts, so the chart's height, its legend, the tables
and the escaping can all be checked by eye. Chromium comes from the system
(Debian: ``apt-get install chromium``); the script downloads nothing. The
page is shot in a tall window and the blank space below it cropped.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def demo_report(folder: Path) -> Path:
    """Write a demo portfolio report into ``folder``; return its HTML file."""
    import numpy as np
    import pandas as pd

    from classifier.labels import LABEL_IDS
    from classifier.portfolio import portfolio_report, summarize_portfolio

    random = np.random.default_rng(7)
    areas = ["Network", "Service desk", "Claims platform", "Data and analytics", "Field engineering", "Payroll"]
    kinds = ["", " operations", " and end-user computing support", " (Europe, Middle East and Africa region)"]
    names = [f"{areas[n % 6]}{kinds[n // 6 % 4]} {n // 24 + 1}" for n in range(48)]
    names += ["Cost centre $4,200 / $x$ budget", "<script>alert('team')</script> support"]
    rows = []
    for index, name in enumerate(names):
        for _ in range(int(400 / (index + 1)) + 2):
            label = random.choice(LABEL_IDS, p=[0.2, 0.7, 0.1])
            confidence = float(random.uniform(0.4, 1.0))
            text = f"{label.split('_')[0]} task {random.integers(1000)} " + "with a long description " * int(
                random.integers(1, 12)
            )
            rows.append((name, text, float(random.integers(1, 9)), label, confidence, confidence < 0.55, True))
    frame = pd.DataFrame(rows, columns=["team", "task", "hours", "label", "confidence", "needs_review", "in_scope"])
    frame.loc[frame.sample(frac=0.05, random_state=1).index, "in_scope"] = False
    for label in LABEL_IDS:
        frame[f"p_{label}"] = np.where(frame["label"] == label, frame["confidence"], 0.0)
    info = {"name": "demo", "training_sha256": ["0" * 64], "created": "2026-01-01"}
    analysis = summarize_portfolio(frame, "task", "hours", group_by="team", source="demo.csv", model_info=info)
    portfolio_report(analysis, title="Demo: where the work goes").write(folder, overwrite=True)
    return folder / "report.html"


def screenshot(page: Path, output: Path, width: int = 1280, height: int = 9000) -> Path:
    """Render ``page`` in headless Chromium at ``width`` pixels and save a PNG, cropped below the content."""
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if browser is None:
        raise SystemExit("no Chromium or Chrome on PATH; install one (Debian: apt-get install chromium)")
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    command += [f"--window-size={width},{height}", f"--screenshot={output.resolve()}", page.resolve().as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    from PIL import Image, ImageChops

    with Image.open(output) as image:
        blank = Image.new(image.mode, image.size, image.getpixel((image.width - 1, image.height - 1)))
        box = ImageChops.difference(image, blank).getbbox()
        if box:
            image.crop((0, 0, image.width, min(image.height, box[3] + 40))).save(output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", nargs="?", type=Path, help="a report.html (default: build the demo report)")
    parser.add_argument("--output", type=Path, default=Path("report_screenshot.png"), help="PNG to write")
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels (default: 1280)")
    args = parser.parse_args(argv)
    page = args.page
    if page is None:
        page = demo_report(Path(tempfile.mkdtemp()) / "demo_report")
    print(screenshot(page, args.output, args.width))
    return 0


if __name__ == "__main__":
    sys.exit(main())
