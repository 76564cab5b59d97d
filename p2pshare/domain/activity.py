"""The activity inbox: what needs the member, and what became of what they passed on.

Pure (DESIGN §3): a function of one member's view (views.Viewpoint: the ledger,
who "me" is, `now`) to plain items, newest first. Each item comes from one record
(an accept, a hand-off, an outcome, a vouch, a forward to me, a decline, a
message), so its id is that record's id and it keeps its place in the history;
whether it was read is the app's to remember, not the ledger's.

Kinds (the `kind` field, stable: `activity --json` prints them):

- `accepted`: someone accepted my offer (needs me: hand it off while it is open)
- `accepted_forward`: someone accepted an offer I forwarded
- `forwarded_to_me`: someone passed an offer to me
- `handed_to_me`: an author handed an offer to me (the contact is sealed to me)
- `handed_forward`: an offer I forwarded was handed to someone
- `outcome_to_confirm`: the author reported the outcome of a hand-off to me (needs
  me until I confirm; `outcome` carries what they reported, to pre-fill)
- `failure_reported`: the author reported a hand-off to me as not fulfilled
- `outcome_forward`: an offer I forwarded was reported fulfilled or not
- `confirmed`: the member I handed my offer to confirmed (or disputed) the outcome
- `confirmed_forward`: the member an offer I forwarded went to confirmed its outcome
- `closed_forward`: an offer I forwarded was withdrawn or expired unhanded
- `vouched`: someone vouched for me
- `declined`: someone I forwarded an offer to declined it ("not for me")
- `message`: a message in an offer's conversation
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import protocol
from p2pshare.domain.ledger import NETWORK, OfferState, OfferStatus
from p2pshare.domain.member_names import MemberNames

if TYPE_CHECKING:
    from collections.abc import Iterable

    from p2pshare.domain.views import Viewpoint
    from protocol import PublicKey


@dataclass(frozen=True, slots=True, kw_only=True)
class Said:
    """A message or decline already opened by the member (its text unsealed)."""

    id: str  # the record's id, hex
    kind: str  # "message" | "declined"
    offer: protocol.RecordId
    author: PublicKey
    created_at: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityItem:
    id: str  # the record that made it, hex
    kind: str  # see the module docstring
    at: int  # unix seconds
    offer: str  # offer id (hex), "" for a vouch
    offer_title: str
    who: str  # member id of whoever did it
    who_name: str
    text: str  # one line a person reads (names in it as shown: told apart, escaped)
    needs_you: bool  # an action of mine waits (hand off, confirm)
    action: str  # what one keystroke does: "handoff" | "confirm" | "open" | ""
    outcome: dict[str, Any] | None = field(default=None)  # the report to confirm
    who_display_name: str = ""  # who_name as shown (views.MemberNames.shown)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _quote(title: str, width: int = 60) -> str:
    return f"“{title if len(title) <= width else title[: width - 1] + '…'}”"


class _Inbox:
    def __init__(self, view: Viewpoint) -> None:
        self.view = view
        self.me = view.me
        self.items: list[ActivityItem] = []
        self.names = MemberNames(view)

    def name(self, key: PublicKey) -> str:
        return self.names.shown(key)

    def add(
        self,
        record: bytes,
        kind: str,
        at: int,
        state: OfferState | None,
        who: PublicKey,
        text: str,
        *,
        needs_you: bool = False,
        action: str = "open",
        outcome: dict[str, Any] | None = None,
    ) -> None:
        self.items.append(
            ActivityItem(
                id=record.hex(),
                kind=kind,
                at=at,
                offer=state.id.hex() if state is not None else "",
                offer_title=state.offer.title if state is not None else "",
                who=protocol.member_id(who) if who else "",
                who_name=self.names.name(who) if who else "",
                text=text,
                needs_you=needs_you,
                action=action if state is not None else "",
                outcome=outcome,
                who_display_name=self.name(who) if who else "",
            )
        )

    def offer(self, state: OfferState) -> None:
        me, title = self.me, _quote(state.offer.title)
        mine = state.author == me
        author = self.name(state.author)
        forwarded = any(link.author == me for link in state.forwards)
        for link in state.forwards:
            if link.to == me and link.author != me:
                self.add(
                    link.id,
                    "forwarded_to_me",
                    link.created_at,
                    state,
                    link.author,
                    f"{self.name(link.author)} forwarded you {title}",
                )
        open_ = state.status == OfferStatus.OPEN
        for accept in state.accepts:
            who = self.name(accept.author)
            if mine:
                waiting = open_ and not state.handoffs
                self.add(
                    accept.id,
                    "accepted",
                    accept.created_at,
                    state,
                    accept.author,
                    f"{who} accepted your offer {title}" + (": hand it off?" if waiting else ""),
                    needs_you=waiting,
                    action="handoff" if waiting else "open",
                )
            elif me in accept.chain and accept.author != me:
                self.add(
                    accept.id,
                    "accepted_forward",
                    accept.created_at,
                    state,
                    accept.author,
                    f"{who} accepted {title}, which you forwarded",
                )
        for handoff in state.handoffs:
            to = self.name(handoff.to)
            if handoff.to == me:
                sealed = "the contact is sealed to you" if handoff.contact else "no contact given"
                self.add(
                    handoff.id,
                    "handed_to_me",
                    handoff.created_at,
                    state,
                    state.author,
                    f"{author} handed {title} to you ({sealed})",
                )
            elif forwarded and me in handoff.forwarders:
                self.add(
                    handoff.id,
                    "handed_forward",
                    handoff.created_at,
                    state,
                    state.author,
                    f"{author} handed {title} to {to}",
                )
            self.outcomes(state, handoff, forwarded)
        if (
            forwarded
            and not mine
            and not state.handoffs
            and state.status
            in (
                OfferStatus.WITHDRAWN,
                OfferStatus.EXPIRED,
            )
        ):
            mark = state.withdrawn
            self.add(
                mark.id if mark is not None else state.id,
                "closed_forward",
                mark.created_at if mark is not None else state.offer.expires_at,
                state,
                state.author,
                f"{title}, which you forwarded, was {state.status.value} before a hand-off",
            )

    def outcomes(self, state: OfferState, handoff: Any, forwarded: bool) -> None:
        me, title = self.me, _quote(state.offer.title)
        report, reply = handoff.outcome, handoff.confirmation
        author, to = self.name(state.author), self.name(handoff.to)
        if report is not None:
            said = "fulfilled" if report.fulfilled else "not fulfilled"
            stars = f", {'★' * report.rating}" if report.rating else ""
            if handoff.to == me:
                confirm = reply is None
                text = f"{author} reported {title} {said}{stars}"
                if report.note:
                    text += f": {report.note}"
                if reply is not None:
                    text += f" · you replied {'fulfilled' if reply.fulfilled else 'not fulfilled'}"
                    if reply.note:
                        text += f": {reply.note}"
                elif confirm:
                    text += " · confirm it"
                self.add(
                    report.id,
                    "outcome_to_confirm" if report.fulfilled else "failure_reported",
                    report.created_at,
                    state,
                    state.author,
                    text,
                    needs_you=confirm,
                    action="confirm" if confirm else "open",
                    outcome={
                        "fulfilled": report.fulfilled,
                        "rating": report.rating,
                        "value": report.value,
                        "note": report.note,
                    },
                )
            elif forwarded and me in handoff.forwarders and state.author != me:
                credit = " · connector credit to you" if report.fulfilled else ""
                did = "fulfilled" if report.fulfilled else "did not fulfil"
                self.add(
                    report.id,
                    "outcome_forward",
                    report.created_at,
                    state,
                    state.author,
                    f"{to} {did} {title}{credit}",
                )
        if reply is not None and forwarded and me in handoff.forwarders and state.author != me:
            said = "fulfilled" if reply.fulfilled else "not fulfilled"
            self.add(
                reply.id,
                "confirmed_forward",
                reply.created_at,
                state,
                handoff.to,
                f"{to} confirmed {title}: {said}",
            )
        if reply is not None and state.author == me:
            agree = (
                "confirmed" if report is None or reply.fulfilled == report.fulfilled else "disputed"
            )
            said = "fulfilled" if reply.fulfilled else "not fulfilled"
            self.add(
                reply.id,
                "confirmed",
                reply.created_at,
                state,
                handoff.to,
                f"{to} {agree} {title}: {said}" + (f": {reply.note}" if reply.note else ""),
            )

    def vouches(self) -> None:
        for edge in self.view.ledger.vouches:
            if edge.subject == self.me and edge.voucher != self.me:
                skills = f" for {', '.join(edge.skills)}" if edge.skills else ""
                self.add(
                    edge.id,
                    "vouched",
                    edge.created_at,
                    None,
                    edge.voucher,
                    f"{self.name(edge.voucher)} vouched for you{skills}",
                )

    def said(self, said: Said) -> None:
        state = self.view.ledger.offers.get(said.offer)
        author = self.view.member_of(said.author)  # signed by a device: its member said it
        if state is None or author == self.me:
            return
        title, who = _quote(state.offer.title), self.name(author)
        if said.kind == "declined":
            text = f"{who} declined {title}" + (f": {said.text}" if said.text else "")
        else:
            text = f"{who} about {title}: {said.text}"
        self.add(bytes.fromhex(said.id), said.kind, said.created_at, state, author, text)


def activity(view: Viewpoint, said: Iterable[Said] = ()) -> list[ActivityItem]:
    """Everything that concerns the member, newest first (ties by record id)."""
    inbox = _Inbox(view)
    for state in view.ledger.offers.values():
        if state.author == view.me or _touches(state, view.me):
            inbox.offer(state)
    inbox.vouches()
    for item in said:
        inbox.said(item)
    return sorted(inbox.items, key=lambda i: (-i.at, i.id))


def _touches(state: OfferState, me: PublicKey) -> bool:
    """Does this offer concern me at all (most of a big feed does not)?"""
    return any(
        link.author == me or (link.to == me and link.to != NETWORK) for link in state.forwards
    ) or any(h.to == me for h in state.handoffs)


def needing_you(items: Iterable[ActivityItem]) -> int:
    return sum(1 for item in items if item.needs_you)
