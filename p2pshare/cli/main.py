"""The `p2pshare` command line (DESIGN §7): the app, the node, and every action.

The grammar is parser.py; what each subcommand does is in the *_commands.py
modules, reached through dispatch.py. Here a command line is run: every failure
becomes one line on stderr and a non-zero exit, never a traceback (the exit codes
are in failures.py). Set P2PSHARE_DEBUG=1 to get the traceback of an unexpected
error as well.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from p2pshare.cli.failures import (
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    describe_os_error,
    fail,
    known_reason,
)
from p2pshare.cli.parser import MAX_COMMUNITY_BYTES, build_parser
from p2pshare.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Sequence

# what the console script (tui.launch), `python -m p2pshare` and the tests use
__all__ = ["EXIT_BROKEN_PIPE", "EXIT_INTERRUPTED", "MAX_COMMUNITY_BYTES", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line; every failure is one line on stderr and an exit code."""
    umask = os.umask(0o077)  # whatever this command creates in a home is its member's alone
    try:
        code = _run(argv)
        sys.stdout.flush()  # a reader gone (`| head -1`) shows here, not at exit
        return code
    except KeyboardInterrupt:
        _quiet_stdout()
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    finally:
        os.umask(umask)


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already said
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        from p2pshare.cli.dispatch import run  # the commands and the member's code: only now

        return run(args)
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except UserError as exc:
        fail(str(exc))
        return exc.exit_code
    except OSError as exc:
        fail(describe_os_error(exc))
        return EXIT_FAILED
    except Exception as exc:
        reason = known_reason(exc)
        if reason is None:  # the last line of defence: a bug, said in one line
            if os.environ.get("P2PSHARE_DEBUG"):
                raise
            logging.getLogger("p2pshare.cli").exception("unexpected error")
            reason = f"unexpected error: {type(exc).__name__}: {exc} (P2PSHARE_DEBUG=1 shows more)"
        fail(reason)
        return EXIT_FAILED


def _quiet_stdout() -> None:
    """After a broken pipe or ctrl+c, let nothing more be written to stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
