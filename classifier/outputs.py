"""Output targets: the one check that an output may be written before any work is done.

Messages speak in Python terms (``overwrite=True``); the command line names
its own flag instead.

>>> import tempfile
>>> folder = tempfile.TemporaryDirectory()
>>> target = Path(folder.name, "scored.csv")
>>> check_output_target(target) == target
True
>>> _ = target.write_text("an earlier run")
>>> check_output_target(target)  # doctest: +ELLIPSIS
Traceback (most recent call last):
classifier.errors.OutputExistsError: output .../scored.csv already exists; pass overwrite=True or choose another path
>>> check_output_target(target, overwrite=True) == target
True
>>> folder.cleanup()
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from classifier.errors import OutputExistsError

__all__ = ["check_output_target", "check_output_targets"]


def check_output_target(
    path: str | os.PathLike, overwrite: bool = False, *, what: str = "output", directory: bool = False
) -> Path:
    """Check that ``path`` may be written; return it as a Path.

    Raises :class:`OutputExistsError` if it exists and ``overwrite`` is false, or, for a
    ``directory`` target, if a file stands there (whatever ``overwrite`` says). ``what``
    names the output in the message ("model directory", "report output").
    """
    target = Path(path)
    if directory:
        _check_not_a_file(target, what)
    _refuse_existing([target], overwrite, what, "path")
    return target


def check_output_targets(
    paths: Iterable[str | os.PathLike],
    overwrite: bool = False,
    *,
    what: str = "output",
    folder: str | os.PathLike | None = None,
) -> list[Path]:
    """Check the outputs of one run at once (a report's files), so that nothing is written if any exists.

    The message names every existing target. ``folder`` is the directory they go into: a file
    standing there is an error (whatever ``overwrite`` says). See :func:`check_output_target`.
    """
    targets = [Path(path) for path in paths]
    if folder is not None:
        _check_not_a_file(Path(folder), f"{what} directory")
    _refuse_existing(targets, overwrite, what, "path" if folder is None else "directory")
    return targets


def _check_not_a_file(directory: Path, what: str) -> None:
    if directory.exists() and not directory.is_dir():
        raise OutputExistsError(f"{what} {directory} is a file; give a directory path")


def _refuse_existing(targets: list[Path], overwrite: bool, what: str, alternative: str) -> None:
    existing = [str(target) for target in targets if target.exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            f"{what} {', '.join(existing)} already exists; pass overwrite=True or choose another {alternative}"
        )
