"""`p2pshare activity [--json]`: what needs you, and what became of what you passed on.

The inbox of p2pshare.domain.activity, newest first. `--json` prints a list of
items (README §JSON: activity); without it, one line per item, those that need
you marked `!`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from p2pshare.domain.ledger import OfferState
    from p2pshare.member.actions import Member
    from p2pshare.member.home import Home

EXAMPLES = """\
examples:
  p2pshare activity              what needs you first (!), then the history
  p2pshare activity --json | jq '.[] | select(.needs_you)'
"""


def items_of(member: Member) -> list[dict[str, object]]:
    from p2pshare.domain.activity import activity  # not at parse time: views is heavy

    return [item.to_json() for item in activity(member.viewpoint(), member.said())]


def cmd_activity(home: Home, args: argparse.Namespace) -> int:
    from p2pshare.cli.commands import _member

    member = _member(home)
    try:
        items = items_of(member)
    finally:
        member.close()
    if args.json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return 0
    if not items:
        print("nothing yet: post, forward or accept an offer and what follows shows here")
        return 0
    waiting = [i for i in items if i["needs_you"]]
    for item in waiting + [i for i in items if not i["needs_you"]]:
        at = dt.datetime.fromtimestamp(int(str(item["at"]))).strftime("%Y-%m-%d %H:%M")
        mark = "!" if item["needs_you"] else " "
        offer = f"  [{str(item['offer'])[:10]}]" if item["offer"] else ""
        print(f"{mark} {at}  {item['text']}{offer}")
    if waiting:
        print(f"\n{len(waiting)} need{'s' if len(waiting) == 1 else ''} you (marked !)")
    return 0


def say(member: Member, state: OfferState, args: argparse.Namespace) -> int:
    """`offer say OFFER TEXT`: send (prints my copy's id); `--list`: the conversation."""
    from p2pshare.errors import UserError

    if args.list or args.text is None:
        rows = [
            {
                "id": s.id,
                "at": s.created_at,
                "who": protocol_member_id(s.author),
                "who_name": "you" if s.author == member.me else member.name_of(s.author),
                "text": s.text,
                "mine": s.author == member.me,
            }
            for s in member.said(state.id)
            if s.kind == "message"
        ]
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        elif not rows:
            print("no messages yet: p2pshare offer say OFFER 'your question'")
        for row in rows if not args.json else []:
            at = dt.datetime.fromtimestamp(int(str(row["at"]))).strftime("%Y-%m-%d %H:%M")
            print(f"{at}  {row['who_name']}: {row['text']}")
        return 0
    if args.json:
        raise UserError("--json goes with --list")
    envelopes = member.say(state, args.text)
    mine = [e for e in envelopes if getattr(e.body, "to", b"") == member.me]
    print((mine or envelopes)[0].id.hex())
    return 0


def protocol_member_id(key: bytes) -> str:
    from protocol import member_id

    return member_id(key)
