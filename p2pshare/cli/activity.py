"""`p2pshare activity [--json]`: what needs you, and what became of what you passed on.

The inbox of p2pshare.domain.activity, newest first. `--json` prints a list of
items (README §JSON: activity); without it, one line per item, those that need
you first and marked `!`, its text escaped (titles, notes and names in it are
what members wrote; the names are told apart already, see domain/member_names.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from p2pshare.cli.member_access import open_member
from p2pshare.cli.printing import line, out, print_json, short, when
from p2pshare.domain.activity import activity

if TYPE_CHECKING:
    import argparse

    from p2pshare.member.home import Home


def cmd_activity(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    try:
        items = [item.to_json() for item in activity(member.viewpoint(), member.said())]
    finally:
        member.close()
    if args.json:
        print_json(items)
        return 0
    if not items:
        out("nothing yet: post, forward or accept an offer and what follows shows here")
        return 0
    waiting = [i for i in items if i["needs_you"]]
    for item in waiting + [i for i in items if not i["needs_you"]]:
        mark = "!" if item["needs_you"] else " "
        offer = f"  [{short(str(item['offer']))}]" if item["offer"] else ""
        out(f"{mark} {when(int(str(item['at'])))}  {line(str(item['text']))}{offer}")
    if waiting:
        out(f"\n{len(waiting)} need{'s' if len(waiting) == 1 else ''} you (marked !)")
    return 0
