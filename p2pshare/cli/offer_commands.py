"""`offer post|forward|accept|handoff|outcome|reply|decline|say|withdraw`: moving an offer.

Each action signs one record into the store and prints its id; a node running on
the same home publishes it. The exceptions: a fulfilled outcome may also sign the
connector credit of the offer's forwarders (its id first), and `say --list`
prints the offer's conversation instead of signing anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from p2pshare.cli.member_access import open_member, other_member
from p2pshare.cli.printing import body, line, out, print_json, when
from p2pshare.errors import UserError
from protocol import member_id

if TYPE_CHECKING:
    import argparse

    from p2pshare.domain.ledger import OfferState
    from p2pshare.member.actions import Member
    from p2pshare.member.home import Home
    from protocol import Envelope


def cmd_offer(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    action = args.action
    if action == "post":
        env = member.post_offer(
            title=args.title,
            description=args.body,
            skills=args.skills,
            region=args.region,
            remote=args.remote,
            value=args.value,
            expires_days=args.expires,
            contact=args.contact,
        )
    else:
        state = member.resolve_offer(args.offer)
        if action == "forward":
            to = None if args.network else other_member(member, args.to, "forward an offer to")
            env = member.forward(state, to=to, note=args.note)
        elif action == "accept":
            env = member.accept(state, note=args.note)
        elif action == "handoff":
            env = member.handoff(state, to=other_member(member, args.to, "hand an offer to"))
        elif action == "outcome":
            env = _outcome(member, state, args)
        elif action == "reply":
            env = member.reply(state, note=args.note, rating=args.rating)
        elif action == "decline":
            env = member.decline(state, note=args.note)
        elif action == "say":
            return _say(member, state, args)
        else:
            env = member.withdraw(state, reason=args.reason)
    out(env.id.hex())
    return 0


def _outcome(member: Member, state: OfferState, args: argparse.Namespace) -> Envelope:
    """Sign the outcome; when my offer was fulfilled, credit its forwarders as connectors
    (those named with --credit, else those I trust) and print that record's id."""
    to = member.resolve_member(args.to) if args.to else None
    amount, currency = args.value
    if currency and currency != state.offer.currency:
        raise UserError(_currency_mismatch(state.offer.currency, currency))
    env = member.outcome(
        state,
        fulfilled=args.fulfilled,
        rating=args.rating,
        value=amount,
        to=to,
        note=args.note,
    )
    if args.fulfilled and not args.no_credit and state.author == member.me:
        state = member.resolve_offer(args.offer)  # now with the outcome just signed
        if args.credit:
            named = tuple(member.resolve_member(m) for m in args.credit)
        else:
            named = member.trusted_forwarders(state, to=to)
        if named:
            out(member.credit(state, named, to=to).id.hex())
    return env


def _currency_mismatch(offer_currency: str, given: str) -> str:
    if not offer_currency:
        return f"the offer's value names no currency, not {given}: give the amount alone"
    return (
        f"the offer's value is in {offer_currency}, not {given}: "
        f"give the amount alone or in {offer_currency}"
    )


def _say(member: Member, state: OfferState, args: argparse.Namespace) -> int:
    """`offer say OFFER TEXT`: send (prints my copy's id); `--list`: the conversation."""
    if args.list or args.text is None:
        me = member.member_key  # a message from any device of my member is mine
        rows = [
            {
                "id": s.id,
                "at": s.created_at,
                "who": member_id(s.author),
                "who_name": "you" if s.author == me else member.name_of(s.author),
                "text": s.text,
                "mine": s.author == me,
            }
            for s in member.said(state.id)
            if s.kind == "message"
        ]
        if args.json:
            print_json(rows)
        elif not rows:
            out("no messages yet: p2pshare offer say OFFER 'your question'")
        for row in rows if not args.json else []:
            said = f"{when(int(str(row['at'])))}  {line(str(row['who_name']))}: "
            out(body(said, str(row["text"])))
        return 0
    if args.json:
        raise UserError("--json goes with --list")
    envelopes = member.say(state, args.text)
    mine = [e for e in envelopes if getattr(e.body, "to", b"") == member.member_key]
    out((mine or envelopes)[0].id.hex())
    return 0
