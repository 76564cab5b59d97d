"""`export FILE` and `import FILE`: the member's signed records, to and from a file.

Export writes next to FILE and renames it there: never into the home, never over
a directory or a device, over an existing file only with --force. Import checks
FILE before opening the member, verifies and judges every record as records from
peers are (member/importing.py), keeps the good ones even after a damaged one, and
reports what it refused on stderr.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from p2pshare.cli.member_access import open_member
from p2pshare.cli.printing import out, shown
from p2pshare.errors import UserError
from p2pshare.member.importing import import_file
from p2pshare.store.export_file import check_export_target, export_to

if TYPE_CHECKING:
    import argparse

    from p2pshare.member.home import Home

_REJECTIONS_LISTED = 20  # past this many refused records, only their count is said


def cmd_export(home: Home, args: argparse.Namespace) -> int:
    target = check_export_target(args.file, home=home.path, force=args.force)
    member = open_member(home)
    count = export_to(target, member.store.export, replace=args.force)
    out(f"exported {count} records to {shown(args.file)}")
    return 0


def cmd_import(home: Home, args: argparse.Namespace) -> int:
    path = _readable_file(args.file)
    member = open_member(home)
    report = import_file(
        member, path, on_progress=lambda done: print(f"imported {done}", flush=True)
    )
    out(f"{report.new} new, {report.known} already known, {len(report.rejected)} rejected")
    for index, reason in report.rejected[:_REJECTIONS_LISTED]:
        print(f"  record {index}: {reason}", file=sys.stderr)
    if len(report.rejected) > _REJECTIONS_LISTED:
        print(f"  ... and {len(report.rejected) - _REJECTIONS_LISTED} more", file=sys.stderr)
    if report.error:
        raise UserError(
            f"{path}: {report.error} (the {report.processed} records before it were kept)"
        )
    return 0


def _readable_file(text: str) -> Path:
    """`text` as the path of a regular file this process can open, else UserError."""
    if not text:
        raise UserError("import needs a file name")
    path = Path(text)
    try:
        st = path.stat()
        if stat.S_ISREG(st.st_mode):
            with path.open("rb"):
                pass
    except FileNotFoundError:
        raise UserError(f"no such file: {shown(text)}") from None
    except OSError as exc:
        raise UserError(f"cannot read {shown(text)}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{shown(text)} is not a regular file")
    return path
