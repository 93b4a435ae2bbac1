"""Write a directory of outputs as a whole: stage it beside the target, then swap it in.

:func:`staged_directory` yields an empty directory next to the target. Once
the block has written every file there, the staged directory takes the
target's place in one step (an atomic exchange where the system has one, else
two renames), so the target never holds a mix of old and new files: a full
disk or a crash while writing leaves the earlier directory exactly as it was.
Files already in the target that the block did not write (notes, other
outputs) are carried over as hard links; sub-directories are moved across.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with staged_directory(folder / "report") as staging:
...     _ = (staging / "report.md").write_text("new")
>>> sorted(path.name for path in (folder / "report").iterdir())
['report.md']
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from classifier.errors import InvalidValueError, OutputExistsError
from classifier.outputs import new_directory_mode

__all__ = ["staged_directory"]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one step (Linux ``renameat2``); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return result == 0


def _carry_over(target: Path, staging: Path) -> list[tuple[Path, Path]]:
    """Link the target's other files into the staging directory; move its sub-directories (returned, to undo)."""
    moved = []
    for entry in target.iterdir():
        destination = staging / entry.name
        if destination.exists() or destination.is_symlink():
            continue  # written anew
        if entry.is_dir() and not entry.is_symlink():
            os.rename(entry, destination)
            moved.append((destination, entry))
            continue
        try:
            os.link(entry, destination, follow_symlinks=False)
        except OSError:
            shutil.copy2(entry, destination, follow_symlinks=False)
    return moved


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    os.chmod(staging, target.stat().st_mode & 0o7777)
    moved = _carry_over(target, staging)
    try:
        if _exchange(staging, target):
            shutil.rmtree(staging)  # now the earlier directory
            return
        backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.rename(target, backup / target.name)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(backup / target.name, target)
            raise
        shutil.rmtree(backup)
    except BaseException:
        for now, before in moved:
            if now.exists() and not before.exists():
                os.rename(now, before)
        raise


@contextmanager
def staged_directory(target: str | os.PathLike, *, what: str = "output directory") -> Iterator[Path]:
    """Yield an empty directory beside ``target``; swap it in for ``target`` if the block succeeds.

    The caller decides beforehand whether ``target`` may be replaced; here a
    file standing at ``target``, or a target that holds the current working
    directory, is refused. If the block fails, ``target`` is left untouched.
    """
    path = Path(os.path.abspath(target))
    if path.is_symlink():
        path = Path(os.path.realpath(path))  # replace the directory it points to; the link stays
    if path.exists() and not path.is_dir():
        raise OutputExistsError(f"{what} {target} is a file; give a directory path")
    if path.exists() and Path.cwd().resolve().is_relative_to(path.resolve()):
        raise InvalidValueError(
            f"{what} {target} holds the current directory, which cannot be replaced as a whole; "
            "give a sub-directory such as report/"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    try:
        os.chmod(staging, new_directory_mode())  # mkdtemp makes it private; an output directory is an ordinary one
        yield staging
        _swap_in(staging, path)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
