"""The door: the one admission path for records from peers, by gossip, sync or import.

Every record a peer hands us passes the same checks in the same order, whatever
carried it (issue 16 §2; sync used to skip the rate limit and the strikes):

1. the peer's budget (records per second, before any parsing);
2. size, then decoding and the signature (protocol.decode);
3. already stored or already seen: refused as a duplicate (no fault of the peer);
4. the date: more than `max_skew` ahead is held until its time (held.py), not
   a strike; more than `hold_horizon` ahead no honest clock explains, a strike;
5. strangers' records: an author the owner does not trust (`trusted_author`),
   forwarded by a peer the owner did not name (`trusted_peer`), spends a smaller
   budget: per forwarding peer, per author, and for all strangers together
   (a key is free, so the per-key budget cannot be the only limit);
6. the ledger, when the owner gives one (`judge`, issue 16 §5): what it refuses
   (a hand-off by someone not the offer's author...) is a strike; what names a
   record not here yet waits (waiting.py) until it can be judged. A record its
   key does not sign for its member at its date (an unlinked device's, a
   contested key's: domain/attribution.py) is refused as "member" without a
   strike: a peer that has not seen the unlink yet relays it in good faith. One
   dated before its device's certificate waits, like any record that names one
   not here yet.

What an honest peer could not have sent (too big, undecodable, badly signed,
absurdly dated) is a strike; `strikes` of them and the peer is reported to
`on_misbehaving` (the node blocks it). Everything refused is counted per peer
and reason (refusals.py). Synchronous, so the gossip validator can call it
without a checkpoint; `admit_batch` verifies a sync batch's signatures in a
worker thread and judges the rest here.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import trio

import protocol
from p2pshare.domain.attribution import NOT_COUNTED, is_member_record
from p2pshare.domain.ledger_part import PENDING
from p2pshare.net.buckets import Buckets, TokenBucket
from p2pshare.net.held import HeldRecords
from p2pshare.net.refusals import Refusals
from p2pshare.net.waiting import Waiting
from protocol import Device, Envelope, ProtocolError, RecordId, Rotate, Unlink

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from p2pshare.net.clock_watch import ClockWatch

log = logging.getLogger(__name__)

RECENT = 20_000  # ids accepted and not yet known to be stored
IN_FLIGHT_SECONDS = 60.0  # a member record accepted and still not stored by then: forgotten


@dataclass(frozen=True, slots=True, kw_only=True)
class DoorLimits:
    """Budgets in records per second (rate) and at once (burst)."""

    # Any record, per forwarding peer: room for an honest catch-up of 10,000
    # records in one session from a peer the owner named or trusts.
    peer_rate: float = 500.0
    peer_burst: float = 20_000.0
    # Strangers' records (see the module docstring), per forwarding peer: what
    # gossip has always allowed a peer (50/s, 200 at once).
    stranger_rate: float = 50.0
    stranger_burst: float = 200.0
    # Per stranger author, whoever forwards: one free key, many forwarders.
    author_rate: float = 10.0
    author_burst: float = 1_000.0
    # All strangers' records together, from every peer.
    strangers_rate: float = 200.0
    strangers_burst: float = 4_000.0
    max_skew: int = 600  # seconds ahead a record may be dated and still be live
    hold_horizon: int = 86_400  # further ahead than this: no clock is that wrong; a strike
    strikes: int = 5  # below the ~7 invalid messages after which gossipsub's P4 gates a peer


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: str  # "ok", "held", or the reason for a refusal
    envelope: Envelope | None = None
    detail: str = ""
    invalid: bool = False  # the peer's fault: a strike

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


OK = "ok"
HELD = "held"
FLOODS = frozenset({"flood", "author-flood", "strangers-flood"})  # refused for budget


def _never(_: str) -> bool:
    return False


class Door:
    def __init__(
        self,
        known: Callable[[RecordId], bool],
        *,
        limits: DoorLimits | None = None,
        trusted_author: Callable[[str], bool] = _never,
        trusted_peer: Callable[[str], bool] = _never,
        on_refused: Callable[[str, str, str, bool], None] | None = None,
        on_misbehaving: Callable[[str], None] | None = None,
        held: HeldRecords | None = None,
        judge: Callable[[Envelope], str | None] | None = None,
        waiting: Waiting | None = None,
        clock_watch: ClockWatch | None = None,
        refusals: Refusals | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = lim = limits or DoorLimits()
        self._known = known
        self.trusted_author = trusted_author
        self.trusted_peer = trusted_peer
        self._on_refused = on_refused  # (peer, kind, detail, live)
        self._on_misbehaving = on_misbehaving
        self._clock = clock
        self.held = held if held is not None else HeldRecords(max_skew=lim.max_skew, clock=clock)
        self.clock_watch = clock_watch
        self.judge = judge  # the ledger's verdict on a record (None: it would take it)
        self.waiting = waiting if waiting is not None else Waiting()
        self.refusals = refusals if refusals is not None else Refusals()
        self._peers = Buckets(lim.peer_rate, lim.peer_burst)
        self._stranger_peers = Buckets(lim.stranger_rate, lim.stranger_burst)
        self._authors = Buckets(lim.author_rate, lim.author_burst)
        now = clock()
        self._strangers = TokenBucket(
            lim.strangers_rate, lim.strangers_burst, lim.strangers_burst, now
        )
        self._strikes: dict[str, int] = {}
        self._author_ids: dict[bytes, str] = {}
        # Accepted and not yet stored: the verified envelope waits here for `take`,
        # so what the node stores is what was decoded here (one parse per record).
        self._recent: OrderedDict[RecordId, Envelope | None] = OrderedDict()
        # Member records accepted and not stored yet: the keys they name, and since when
        self._in_flight: dict[RecordId, tuple[frozenset[bytes], float]] = {}
        self.accepted = 0
        self.accepted_live = 0  # by gossip
        self.rejected: dict[str, int] = {}

    # -- the checks ---------------------------------------------------------------

    def check(self, peer: str, data: bytes, *, live: bool) -> Verdict:
        """Judge one record from `peer` (`live`: by gossip, just signed)."""
        now = self._clock()
        if (early := self._before_decode(peer, data, now, live=live)) is not None:
            return early
        try:
            envelope: Envelope | ProtocolError = protocol.decode(data)
        except ProtocolError as exc:
            envelope = exc
        return self._after_decode(peer, envelope, now, live=live)

    async def admit_batch(self, peer: str, datas: Sequence[bytes]) -> list[Verdict]:
        """Judge a batch from sync or import: the signatures are checked in a worker
        thread (not on the event loop), everything else here, in order."""
        now = self._clock()
        verdicts: list[Verdict | None] = [
            self._before_decode(peer, data, now, live=False) for data in datas
        ]
        todo = [i for i, v in enumerate(verdicts) if v is None]

        def decode_all() -> list[Envelope | ProtocolError]:
            out: list[Envelope | ProtocolError] = []
            for i in todo:
                try:
                    out.append(protocol.decode(datas[i]))
                except ProtocolError as exc:
                    out.append(exc)
            return out

        decoded = await trio.to_thread.run_sync(decode_all) if todo else []
        now = self._clock()
        # Keys the batch's own member records name: their other records are judged
        # once those are stored (a sync's order is by id, not by date). Only member
        # records new here: one held already changes nothing when the batch is stored,
        # so nothing would wake what waits behind it (a sync sends again what the
        # other side holds wherever their ranges differ).
        fresh = [env for env in decoded if isinstance(env, Envelope) and not self._seen(env.id)]
        named = _named_keys(fresh) if self.judge is not None else frozenset()
        for i, envelope in zip(todo, decoded, strict=True):
            verdict = verdicts[i] = self._after_decode(peer, envelope, now, live=False, named=named)
            if verdict.ok and verdict.envelope is not None:
                self._recent[verdict.envelope.id] = None  # the caller stores it: no need to hold
        return [v for v in verdicts if v is not None]

    def take(self, record_id: RecordId) -> Envelope | None:
        """The envelope accepted for `record_id`, once (None if unknown)."""
        envelope = self._recent.get(record_id)
        if envelope is not None:
            self._recent[record_id] = None  # still remembered as seen, no longer held
        return envelope

    def refuse_waiting(self, envelope: Envelope, peer: str, why: str) -> None:
        """A record that waited is refused by the ledger now: a strike for its sender
        (none when it is only not its member's: see the module)."""
        if why.startswith(NOT_COUNTED):
            self._refuse(peer, "member", why, live=False)
        else:
            self._refuse(peer, "ledger", why, live=False, invalid=True)

    def judge_now(self, envelope: Envelope) -> str | None:
        """The ledger's verdict, or wait while a member record naming the record's key
        is accepted here and not stored yet: the ledger cannot see it yet, and a
        device's record judged before its unlink is stored would be taken (two sync
        sessions at once, one bringing the unlink, the other the device's record)."""
        if not is_member_record(envelope) and envelope.author in self._in_flight_keys():
            return f"{PENDING} (a member record naming its key is being stored)"
        return self.judge(envelope) if self.judge is not None else None

    def _in_flight_keys(self) -> frozenset[bytes]:
        """Keys named by member records accepted and not yet stored (forgotten after
        `IN_FLIGHT_SECONDS`, should the store never take one)."""
        if not self._in_flight:
            return frozenset()
        now = self._clock()
        for rid, (_, since) in list(self._in_flight.items()):
            if self._known(rid) or now - since > IN_FLIGHT_SECONDS:
                del self._in_flight[rid]
        return frozenset().union(*(keys for keys, _ in self._in_flight.values()))

    def strikes_of(self, peer: str) -> int:
        return self._strikes.get(peer, 0)

    # -- internals ------------------------------------------------------------------

    def _before_decode(self, peer: str, data: bytes, now: float, *, live: bool) -> Verdict | None:
        if not self._peers.get(peer, now).take(now):
            rate = self.limits.peer_rate
            return self._refuse(peer, "flood", f"over {rate:g} records/s", live=live)
        if len(data) > protocol.MAX_RECORD_BYTES:
            return self._refuse(peer, "oversized", f"{len(data)} bytes", live=live, invalid=True)
        return None

    def _after_decode(
        self,
        peer: str,
        envelope: Envelope | ProtocolError,
        now: float,
        *,
        live: bool,
        named: frozenset[bytes] = frozenset(),
    ) -> Verdict:
        if isinstance(envelope, ProtocolError):
            return self._refuse(peer, "invalid", str(envelope), live=live, invalid=True)
        rid = envelope.id
        if self._seen(rid):
            return self._refuse(peer, "duplicate", rid.hex()[:12], live=live)
        author = self._author(envelope.author)
        ahead = envelope.created_at - int(now)
        if live and self.clock_watch is not None:
            self.clock_watch.observe(author, ahead)
        lim = self.limits
        if ahead > lim.hold_horizon:
            detail = f"dated {ahead} s ahead"
            return self._refuse(peer, "future", detail, live=live, invalid=True)
        if not (self.trusted_peer(peer) or self.trusted_author(author)):
            refusal = self._strangers_budget(peer, author, now)
            if refusal is not None:
                return self._refuse(peer, refusal[0], refusal[1], live=live)
        if named and envelope.author in named and not is_member_record(envelope):
            batch = f"{PENDING} (its key's member records came in the same batch)"
            return self._wait(peer, envelope, batch, live=live)
        if self.judge is not None and (why := self.judge_now(envelope)) is not None:
            if why.startswith(NOT_COUNTED):
                return self._refuse(peer, "member", why, live=live)
            if not why.startswith(PENDING):
                return self._refuse(peer, "ledger", why, live=live, invalid=True)
            return self._wait(peer, envelope, why, live=live)
        if ahead > lim.max_skew:
            if not self.held.hold(envelope, peer):
                return self._refuse(peer, "held-full", f"dated {ahead} s ahead", live=live)
            detail = f"dated {ahead} s in the future, held until then"
            self.refusals.add(peer, HELD)
            log.debug("holding a record by %s: %s", author, detail)
            if self._on_refused is not None:
                self._on_refused(peer, HELD, detail, live)
            return Verdict(HELD, envelope, detail)
        if self.judge is not None and is_member_record(envelope):
            self._in_flight[rid] = (_named_keys([envelope]), now)
        self._recent[rid] = envelope
        if len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        self.accepted += 1
        self.accepted_live += live
        return Verdict(OK, envelope)

    def _seen(self, rid: RecordId) -> bool:
        """Stored, or taken, held or waiting here already."""
        return rid in self._recent or rid in self.held or rid in self.waiting or self._known(rid)

    def _wait(self, peer: str, envelope: Envelope, why: str, *, live: bool) -> Verdict:
        if not self.waiting.add(envelope, peer):
            return self._refuse(peer, "waiting-full", why, live=live)
        self.refusals.add(peer, "waiting")
        return Verdict("waiting", envelope, why)

    def _strangers_budget(self, peer: str, author: str, now: float) -> tuple[str, str] | None:
        lim = self.limits
        per_peer = self._stranger_peers.get(peer, now)
        per_author = self._authors.get(author, now)
        if not per_peer.ready(now):
            return "flood", f"strangers' records over {lim.stranger_rate:g}/s from this peer"
        if not per_author.ready(now):
            return "author-flood", f"over {lim.author_rate:g} records/s by stranger {author}"
        if not self._strangers.ready(now):
            return "strangers-flood", f"strangers' records over {lim.strangers_rate:g}/s in all"
        per_peer.take(now)
        per_author.take(now)
        self._strangers.take(now)
        return None

    def _author(self, key: bytes) -> str:
        name = self._author_ids.get(key)
        if name is None:
            if len(self._author_ids) > 50_000:
                self._author_ids.clear()
            name = self._author_ids[key] = protocol.member_id(key)
        return name

    def _refuse(
        self, peer: str, kind: str, detail: str, *, live: bool, invalid: bool = False
    ) -> Verdict:
        self.rejected[kind] = self.rejected.get(kind, 0) + 1
        self.refusals.add(peer, kind)
        how = "gossip" if live else "sync"
        log.log(
            logging.WARNING if invalid else logging.DEBUG,
            "refused a record from %s (%s): %s (%s)",
            peer,
            how,
            kind,
            detail,
        )
        if self._on_refused is not None:
            self._on_refused(peer, kind, detail, live)
        if invalid:
            count = self._strikes[peer] = self._strikes.get(peer, 0) + 1
            if count >= self.limits.strikes:
                self._strikes[peer] = 0
                if self._on_misbehaving is not None:
                    self._on_misbehaving(peer)
        return Verdict(kind, None, detail, invalid)


def _named_keys(decoded: Sequence[Envelope | ProtocolError]) -> frozenset[bytes]:
    """The keys whose records the member records among `decoded` may void or move to
    a member: the devices certified or unlinked, and a rotation's old and new root
    (a root's own records count whatever certificates and unlinks say)."""
    named: set[bytes] = set()
    for env in decoded:
        if isinstance(env, Envelope) and is_member_record(env):
            body = env.body
            if isinstance(body, Rotate):
                named.update((env.author, body.new_root))
            else:
                assert isinstance(body, Device | Unlink)
                named.add(body.device)
    return frozenset(named)
