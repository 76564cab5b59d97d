"""How a failure reaches the person: one line on stderr, and an exit code.

Bad arguments exit 2, a refused or failed command 1, ctrl+c 130, a closed stdout
(`| head`) 141 (DESIGN §7: errors go to stderr with a non-zero exit code and a
one-line reason). The parser, the commands and the entry point all say their
failures through here, so every line is cut and prefixed the same way.
"""

from __future__ import annotations

import os
import sys

from p2pshare.cli.printing import shown
from p2pshare.errors import UserError

EXIT_USAGE = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a ctrl+c
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of stdout went away
_MAX_LINE = 300  # an error line quoting a 5,000-character argument is cut to this


class UsageError(UserError):
    """The command line asks for nothing, or for something it cannot mean."""

    exit_code = EXIT_USAGE


def one_line(text: str) -> str:
    """`text` on one line, cut to a readable length."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_LINE else flat[: _MAX_LINE - 1] + "…"


def fail(reason: str) -> None:
    """Say why the command failed: `p2pshare: <reason>`, one line on stderr."""
    print(one_line(f"p2pshare: {reason}"), file=sys.stderr, flush=True)


def describe_os_error(exc: OSError) -> str:
    """'<file>: <what went wrong>' for an OSError, the file name cut if it is long."""
    what = exc.strerror or str(exc) or type(exc).__name__
    name = exc.filename
    if name is None:
        return what
    text = os.fsdecode(name) if isinstance(name, bytes | str) else str(name)
    return f"{shown(text)}: {what}"


def known_reason(exc: Exception) -> str | None:
    """The one-line reason of an error that says what went wrong by itself."""
    import sqlite3

    from p2pshare.store import StoreError
    from protocol import ProtocolError

    if isinstance(exc, StoreError | ProtocolError):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return f"the store cannot be used: {exc}"
    return None
