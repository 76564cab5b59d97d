"""The personas at work: they answer the newcomer the way good colleagues would.

Each persona acts only through its own home, with the same Member actions as
the command line; its `p2pshare serve` node publishes what it signs. A persona
accepts what is forwarded to it when it has the skills (or passes it on to
someone who has), hands its offers to whoever accepted, reports outcomes,
confirms receipts, vouches back, and now and then posts something new.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from p2pshare.demo.pool import Pool
from p2pshare.domain.ledger import OfferState, OfferStatus
from p2pshare.errors import UserError
from p2pshare.member.actions import Member

if TYPE_CHECKING:
    from p2pshare.domain.evidence import VouchEdge
    from p2pshare.member.home import Home
    from protocol import PublicKey

log = logging.getLogger(__name__)

ACCEPT_AFTER = 4.0  # seconds a persona "thinks" before answering
HANDOFF_AFTER = 6.0
OUTCOME_AFTER = 25.0
POST_EVERY = (240.0, 480.0)  # each persona: 6 of them post about once a minute in all
FORWARD_TO_NEWCOMER = 0.15  # after the first, now and then: only work that fits them
FORWARD_GAP = 600.0  # and at most one every ten minutes per persona
ANSWER_AFTER = 5.0  # a persona answers a message about an offer it is part of


@dataclass
class _Memory:
    """When a persona first saw each thing it will answer: answers come after a pause."""

    seen: dict[bytes, float] = field(default_factory=dict)
    next_post: float = 0.0
    posts: int = 0
    last_forward: float = float("-inf")
    answered: set[str] = field(default_factory=set)  # messages (record ids, hex) answered

    def ready(self, key: bytes, now: float, delay: float) -> bool:
        first = self.seen.setdefault(key, now)
        return now - first >= delay


class Personas:
    """Drives every persona from one thread until `stop()`; each step is short."""

    def __init__(self, homes: dict[str, Home], newcomer: PublicKey, *, seed: int = 7) -> None:
        self._homes = homes
        self._newcomer = newcomer
        self._random = random.Random(seed)
        self._stop = threading.Event()
        self._members: dict[str, Member] = {}
        self._memory: dict[str, _Memory] = {}
        self._thread = threading.Thread(target=self._run, name="demo-personas", daemon=True)
        self._clock = 0.0
        self._pool = Pool(self._random)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import time

        for slug, home in self._homes.items():
            try:
                self._members[slug] = Member.open(home)
            except UserError as exc:
                log.warning("persona %s cannot act: %s", slug, exc)
        start = time.monotonic()
        for i, slug in enumerate(self._members):
            # The first persona forwards something to the newcomer early on, so the
            # first minute already shows a directed hand-off arriving.
            self._memory[slug] = _Memory(next_post=start + 20 + 40 * i)
        while not self._stop.wait(1.0):
            self._clock = time.monotonic()
            for slug, member in self._members.items():
                try:
                    self.step(slug, member)
                except UserError as exc:
                    log.info("persona %s: %s", slug, exc)
                except Exception:
                    log.exception("persona %s failed a step", slug)
        for member in self._members.values():
            member.close()

    def step(self, slug: str, member: Member) -> None:
        """One look at the persona's ledger, and at most one action of each kind."""
        memory, now = self._memory[slug], self._clock
        ledger = member.ledger()
        me = member.me
        profile = member.profile()
        my_skills = set(profile.skills) if profile else set()
        for state in ledger.offers.values():
            if state.status is not OfferStatus.OPEN and state.status is not OfferStatus.HANDED_OFF:
                if state.author == me:
                    self._report(member, memory, state, now)
                self._confirm(member, state)
                continue
            if state.author == me:
                self._hand_off(member, memory, state, now)
                self._report(member, memory, state, now)
            elif state.forwarded_to(me) and state.accepted_by(me) is None:
                if not memory.ready(state.id + b"accept", now, ACCEPT_AFTER):
                    continue
                if my_skills & set(state.offer.skills) or not state.offer.skills:
                    member.accept(state, note="Thanks! I can take this one.")
                else:
                    self._pass_on(member, state)
                    memory.seen[state.id + b"accept"] = float("inf")
            self._confirm(member, state)
        self._vouch_back(member, ledger.vouches)
        self._answer(member, memory, now)
        if now >= memory.next_post:
            memory.next_post = now + self._random.uniform(*POST_EVERY)
            self._post(member, memory, first=memory.posts == 0)
            memory.posts += 1

    def _answer(self, member: Member, memory: _Memory, now: float) -> None:
        """The newcomer wrote about an offer I am part of: I answer, once per message."""
        for said in member.said():
            if said.kind != "message" or said.author != self._newcomer:
                continue
            if said.id in memory.answered or not memory.ready(said.id.encode(), now, ANSWER_AFTER):
                continue
            memory.answered.add(said.id)
            state = member.ledger().offers.get(said.offer)
            if state is not None:
                member.say(state, answer_to(said.text, mine=state.author == member.me))

    def _hand_off(self, member: Member, memory: _Memory, state: OfferState, now: float) -> None:
        if state.handoffs or not state.accepts:
            return
        if not memory.ready(state.id + b"handoff", now, HANDOFF_AFTER):
            return
        # The newcomer first, if they asked: the demo is for them.
        chosen = next((a for a in state.accepts if a.author == self._newcomer), state.accepts[0])
        member.handoff(state, to=chosen.author)

    def _report(self, member: Member, memory: _Memory, state: OfferState, now: float) -> None:
        for handoff in state.handoffs:
            if handoff.outcome is None and memory.ready(handoff.id, now, OUTCOME_AFTER):
                member.outcome(
                    state,
                    fulfilled=True,
                    rating=5,
                    value=state.offer.value,
                    to=handoff.to,
                    note="Client was delighted. Thank you!",
                )

    def _confirm(self, member: Member, state: OfferState) -> None:
        """Sign our side of a receipt the author reported about us."""
        handoff = state.handoff_to(member.me)
        if handoff and handoff.outcome is not None and handoff.confirmation is None:
            member.outcome(
                state,
                fulfilled=handoff.outcome.fulfilled,
                rating=handoff.outcome.rating,
                note="Confirmed.",
            )

    def _pass_on(self, member: Member, state: OfferState) -> None:
        """Not my field: forward it to the persona whose skills fit best."""
        best, best_score = None, 0
        for other in self._members.values():
            if other.me in (member.me, state.author):
                continue
            profile = other.profile()
            score = len(set(profile.skills) & set(state.offer.skills)) if profile else 0
            if score > best_score:
                best, best_score = other.me, score
        if best is not None:
            member.forward(state, to=best, note="Not my field, but this is exactly theirs.")

    def _vouch_back(self, member: Member, vouches: tuple[VouchEdge, ...]) -> None:
        """The newcomer vouched for me: I vouch back, once."""
        me, newcomer = member.me, self._newcomer
        if any(e.voucher == newcomer and e.subject == me for e in vouches) and not any(
            e.voucher == me and e.subject == newcomer for e in vouches
        ):
            member.vouch(newcomer, note="Good to have you here.")

    def _post(self, member: Member, memory: _Memory, *, first: bool) -> None:
        profile = member.profile()
        if profile is None:
            return
        picked = self._pool.pick(profile.skills)
        if picked is None:
            return
        title, skills, value, region = picked
        envelope = member.post_offer(
            title=title,
            description=f"Came to me through a client of {profile.name}. I can't take it on.",
            skills=skills,
            region=region,
            remote=not region,
            value=f"{value} USD",
            expires_days=14,
            contact=f"{profile.name}'s client · +1 555 0100",
        )
        state = member.ledger().offers.get(envelope.id)
        newcomer = member.ledger().profiles.get(self._newcomer)
        fits = newcomer is not None and bool(set(newcomer.profile.skills) & set(skills))
        now = self._clock
        due = first or (
            fits
            and now - memory.last_forward >= FORWARD_GAP
            and self._random.random() < FORWARD_TO_NEWCOMER
        )
        if state is not None and due:
            memory.last_forward = now
            member.forward(state, to=self._newcomer, note="Thought of you for this one.")


def answer_to(text: str, *, mine: bool) -> str:
    """What a helpful colleague says back (the demo's personas are not chatbots)."""
    if "?" in text:
        if mine:
            return "Good question: the client is flexible on dates; the contact will tell you more."
        return "I only passed it on, but the author answers quickly: ask them here too."
    return "Thanks, noted!" if not mine else "Thanks, I'll keep you posted."
