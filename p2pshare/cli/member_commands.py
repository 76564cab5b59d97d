"""`vouch`, `revoke`, `mute` and `block`: what this member says of other members.

A vouch and its revocation are signed records that travel; a mute or a block is
a private mark kept in this home only. None of them may name this member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from p2pshare.cli.member_access import open_member, other_member
from p2pshare.cli.printing import out
from p2pshare.member.marks import BLOCKED, MUTED

if TYPE_CHECKING:
    import argparse

    from p2pshare.member.home import Home


def cmd_vouch(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    env = member.vouch(
        other_member(member, args.member, "vouch for"), skills=args.skill, note=args.note
    )
    out(env.id.hex())
    return 0


def cmd_revoke(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    env = member.revoke(member.resolve_vouch(args.vouch))
    out(env.id.hex())
    return 0


def cmd_mark(home: Home, args: argparse.Namespace) -> int:
    """`mute MEMBER` / `block MEMBER`, or with --undo take the mark off."""
    member = open_member(home)
    key = other_member(member, args.member, args.command)
    muting = args.command == "mute"
    member.marks.set(MUTED if muting else BLOCKED, key, not args.undo)
    done = "muted" if muting else "blocked"
    out(f"{member.name_of(key)} {'un' if args.undo else ''}{done}")
    return 0
