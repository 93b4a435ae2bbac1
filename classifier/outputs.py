"""Output targets: the check that an output may be written before any work is done, and the atomic writer.

:func:`atomic_output` writes to a temporary file beside the target, created
with the mode ``open()`` would give it (the user's umask), and moves it into
place only if the block succeeds. Without ``overwrite`` the move is a hard
link, which fails if the target appeared meanwhile, so of two runs writing the
same new path only one succeeds. A full disk, a read-only file system or a
directory in the way becomes :class:`OutputWriteError` naming the target.

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

import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from classifier.errors import ITWorkError, OutputExistsError, OutputWriteError

__all__ = ["check_output_target", "check_output_targets", "atomic_output", "new_file_mode", "new_directory_mode"]


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
    elif target.is_dir():
        raise OutputExistsError(f"{what} {target} is a directory; give a file path")
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


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (``/proc``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)  # elsewhere: set and restore (not atomic, but only without /proc)
    os.umask(umask)
    return umask


def new_file_mode() -> int:
    """The permission bits ``open()`` gives a new file: ``0o666`` less the process umask.

    >>> 0 < new_file_mode() <= 0o666
    True
    """
    return 0o666 & ~_umask()


def new_directory_mode() -> int:
    """The permission bits ``os.mkdir`` gives a new directory: ``0o777`` less the process umask.

    >>> 0 < new_directory_mode() <= 0o777
    True
    """
    return 0o777 & ~_umask()


#: errno values that mean the output cannot be written where it was asked for, whatever raised them.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EISDIR, errno.EFBIG}
_FIXES = {
    errno.ENOSPC: "free some disk space or write to another disk",
    errno.EDQUOT: "free some disk space or write to another disk",
    errno.EFBIG: "write to another file system or split the input",
    errno.EROFS: "choose a directory you can write to",
    errno.EACCES: "choose a directory you can write to",
    errno.EPERM: "choose a directory you can write to",
    errno.EISDIR: "give a file path",
}


def _is_write_error(error: OSError, paths: Iterable[Path]) -> bool:
    if isinstance(error, ITWorkError):
        return False
    if error.errno in _WRITE_ERRNOS or error.filename in {str(path) for path in paths}:
        return True
    # pyarrow reports a full disk as an OSError without errno: "... [errno 28] No space left on device"
    return any(os.strerror(number) in str(error) for number in _WRITE_ERRNOS)


def _write_error(error: OSError, target: Path, what: str) -> OutputWriteError:
    number = error.errno
    if number is None:
        number = next((n for n in _WRITE_ERRNOS if os.strerror(n) in str(error)), None)
    reason = os.strerror(number) if number is not None else str(error)
    fix = _FIXES.get(number, "choose another path") if number is not None else "choose another path"
    return OutputWriteError(f"cannot write {what} {target}: {reason.rstrip('.')}; {fix}")


@contextmanager
def atomic_output(path: str | os.PathLike, overwrite: bool = False, *, what: str = "output") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it to ``path`` only if the block succeeds.

    The temporary file has the mode ``open()`` would give ``path``. Without ``overwrite`` the
    target is claimed exclusively at the end: if another run created it meanwhile,
    :class:`OutputExistsError` is raised and that run's file is left alone.

    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> with atomic_output(Path(folder.name, "out.txt")) as temporary:
    ...     _ = temporary.write_text("done")
    >>> Path(folder.name, "out.txt").read_text()
    'done'
    >>> folder.cleanup()
    """
    target = check_output_target(path, overwrite, what=what)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial" + target.suffix, dir=target.parent)
    except OSError as error:
        raise _write_error(error, target, what) from error
    temporary = Path(name)
    try:
        try:
            os.fchmod(handle, new_file_mode())  # mkstemp makes it private (0600); an output is an ordinary file
        finally:
            os.close(handle)
        try:
            yield temporary
            _publish(temporary, target, overwrite, what)
        except OSError as error:
            if not _is_write_error(error, (temporary, target)):
                raise
            raise _write_error(error, target, what) from error
    finally:
        temporary.unlink(missing_ok=True)


def _publish(temporary: Path, target: Path, overwrite: bool, what: str) -> None:
    if overwrite:
        os.replace(temporary, target)
        return
    exists = OutputExistsError(f"{what} {target} already exists; pass overwrite=True or choose another path")
    try:
        os.link(temporary, target)  # fails if the target exists: two runs cannot both claim it
        return
    except FileExistsError:
        raise exists from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
    try:  # a file system without hard links: claim the name with O_EXCL, then move the file onto it
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, new_file_mode()))
    except FileExistsError:
        raise exists from None
    try:
        os.replace(temporary, target)
    except BaseException:
        target.unlink(missing_ok=True)  # the empty claim is ours: leave no empty output behind
        raise
