"""``main``: parse, run one command, and turn library errors into one line on stderr and exit code 2."""

from __future__ import annotations

import os
import signal
import sys
import threading
import warnings
from collections.abc import Sequence

from classifier.cli.errors import cli_message
from classifier.cli.parser import Registrar, build_parser
from classifier.errors import ITWorkError

__all__ = ["main", "main_entry"]

#: Errors that reach the user as ``itwork COMMAND: error: MESSAGE`` and exit code 2: the library's own,
#: and the ValueError/TypeError of bad values (scikit-learn's included) and OSError of files. Others raise.
USER_ERRORS = (ITWorkError, ValueError, TypeError, OSError)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an exception so that temporary outputs are cleaned up on the way out."""


def _raise_terminated(signum, frame) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None, *, commands: Sequence[Registrar] | None = None) -> int:
    """Run the CLI; returns the exit code (0 success, 2 bad input or usage, 130/143 interrupted).

    ``commands`` are the ``register(subparsers)`` functions of extra commands
    (default: those of the installed ``itwork.commands`` entry points).
    """
    parser = build_parser(commands)
    args = parser.parse_args(argv)
    flags = getattr(args, "flags", None)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = lambda message, *rest, **kw: print(
                f"itwork: warning: {cli_message(message, flags)}", file=sys.stderr
            )
            return args.run(args)
    except BrokenPipeError:
        _discard_stdout()  # the reader went away (itwork ... | head): stop quietly, like other command-line tools
        return 141
    except USER_ERRORS as error:
        print(f"itwork {args.command}: error: {cli_message(error, flags)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interrupt:
        print(f"itwork {args.command}: interrupted; no output was written", file=sys.stderr)
        return 143 if isinstance(interrupt, _Terminated) else 130


def _discard_stdout() -> None:
    # Python's documented recipe: point stdout at devnull, so the flush at exit does not fail again.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # in-process callers may have replaced sys.stdout
        pass


def main_entry() -> None:
    """Console-script entry point: ``itwork``."""
    sys.exit(main())
