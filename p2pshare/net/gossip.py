"""GossipSub on the community topic: settings, the topic validator, flood control, scoring.

The validator is the gate every live record passes before it is stored or
relayed; what it judges and how is the door's (door.py), the one admission
path for gossip, sync and import alike. What it refuses is never forwarded;
what is invalid also lowers the sender's gossipsub score (P4), and a peer that
keeps sending invalid records is disconnected and blocked for a while (the
node does that, on the door's `on_misbehaving`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libp2p.pubsub.pubsub as _pubsub_mod
from libp2p.peer.id import ID
from libp2p.pubsub.gossipsub import PROTOCOL_ID_V11, PROTOCOL_ID_V12, GossipSub
from libp2p.pubsub.pubsub import Pubsub
from libp2p.pubsub.rpc_queue import RpcQueue
from libp2p.pubsub.score import ScoreParams, TopicScoreParams

from p2pshare.net.door import Door, DoorLimits

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from libp2p.abc import IHost
    from libp2p.pubsub.pb import rpc_pb2

    from protocol import Envelope, RecordId

log = logging.getLogger(__name__)

TOPIC_PREFIX = "p2pshare/community/"
DEFAULT_COMMUNITY = "main"
QUEUE_SIZE = 4096
IDONTWANT_THRESHOLD = 1024  # go-libp2p's IDontWantMessageThreshold


def topic_for(community: str) -> str:
    return TOPIC_PREFIX + community


# -- queue sizes (process-wide) -----------------------------------------------
# Upstream: both per-peer queues are 32 deep and drop silently when full
# (FINDINGS §4: a 200-message burst delivered 16/200 with them, 200/200 at 4096).


class _BigRpcQueue(RpcQueue):
    """Pubsub._handle_new_peer calls RpcQueue() with the default max_size bound at
    definition time (rpc_queue.OutBoundQueueSize = 32), so assigning that constant
    changes nothing; replacing the class name inside libp2p.pubsub.pubsub does."""

    def __init__(self, max_size: int = QUEUE_SIZE, **kwargs: Any) -> None:
        super().__init__(max_size=max_size, **kwargs)


def enlarge_queues() -> None:
    """Call before subscribing. Affects every Pubsub in the process, which is fine."""
    # Per-subscription channel, filled with send_nowait: full -> "fail to deliver
    # message to subscription" and the message is lost. Read at subscribe() time.
    _pubsub_mod.SUBSCRIPTION_CHANNEL_SIZE = QUEUE_SIZE
    _pubsub_mod.RpcQueue = _BigRpcQueue  # type: ignore[assignment,attr-defined]


# -- scoring -------------------------------------------------------------------


def score_params(app_score: Callable[[ID], float]) -> ScoreParams:
    return ScoreParams(
        # P4, invalid messages. py-libp2p computes `score -= weight * min(count, cap)`:
        # the weight is POSITIVE (go-libp2p's is negative) and the default cap of 0
        # switches the term off (FINDINGS §5). Decays per heartbeat (1 s).
        p4_invalid_messages=TopicScoreParams(weight=3.0, cap=100.0, decay=0.95),
        # P6: our own view (blocked peers); `score += app_score(peer) * weight`.
        p6_appl_slack_weight=1.0,
        app_specific_score_fn=app_score,
        # Defaults are -inf (off). publish_threshold gates *incoming* messages in
        # Pubsub.push_msg, and for one topic it only sees topic score + P5, not P6:
        # 7 recent invalid messages and that peer's messages are dropped unread.
        publish_threshold=-20.0,
        gossip_threshold=-10.0,
        graylist_threshold=-40.0,
    )


class Router(GossipSub):
    """GossipSub with flood publishing of our own records (a GossipSub v1.1 defence
    py-libp2p 0.8.1 lacks): what this node publishes goes to every peer on the
    topic whose score is above the publish threshold, not only to its mesh, so a
    mesh full of churning or hostile peers cannot sit on it. Relayed messages
    still go to the mesh only.

    And IDONTWANT only for messages of 1 KiB or more, as go-libp2p: py-libp2p
    sends one per message, own and relayed, to every mesh peer, as control that
    leaves before any data. Under a gossip flood those crowded out the records
    themselves: honest offers took p95 4.7 s to cross the flooded node, 0.18-0.45 s
    without (`python -m bench attack flood`, 2 busy cores)."""

    def _get_peers_to_send(
        self,
        topic_ids: Iterable[str],
        msg_forwarder: ID,
        origin: ID,
        msg_id: bytes | None = None,
    ) -> Iterable[ID]:
        topics = list(topic_ids)
        peers = set(super()._get_peers_to_send(topics, msg_forwarder, origin, msg_id))
        pubsub = self.pubsub
        if pubsub is not None and origin == msg_forwarder == pubsub.my_id:
            scorer = self.scorer
            for topic in topics:
                for peer in pubsub.peer_topics.get(topic, ()):
                    if peer == origin:
                        continue
                    if scorer is None or scorer.score(peer, [topic]) >= (
                        scorer.params.publish_threshold
                    ):
                        peers.add(peer)
        yield from peers

    _small = False  # the message being published is under IDONTWANT_THRESHOLD

    async def publish(self, msg_forwarder: ID, pubsub_msg: rpc_pb2.Message) -> None:
        # read by _emit_idontwant_for_message before publish's first checkpoint
        self._small = len(pubsub_msg.data) < IDONTWANT_THRESHOLD
        await super().publish(msg_forwarder, pubsub_msg)

    async def _emit_idontwant_for_message(self, msg_id: bytes, topic_ids: Iterable[str]) -> None:
        if not self._small:
            await super()._emit_idontwant_for_message(msg_id, topic_ids)


def make_router(params: ScoreParams) -> GossipSub:
    return Router(
        protocols=[PROTOCOL_ID_V12, PROTOCOL_ID_V11],
        degree=6,
        degree_low=4,
        degree_high=12,
        heartbeat_initial_delay=0.1,
        heartbeat_interval=1,  # upstream default is 120 s: a mesh would take minutes to heal
        time_to_live=30,
        gossip_window=3,
        gossip_history=5,
        prune_back_off=60,
        unsubscribe_back_off=10,
        do_px=False,  # peer exchange is ours (peers.py), bounded and over known streams
        score_params=params,
        # Spam protection counts per *forwarding* peer including our own publishes
        # and drops the excess before it is even sent (10/s by default): a burst of
        # offers would be lost. The validator's per-peer rate limit replaces it.
        spam_protection_enabled=False,
        max_messages_per_topic_per_second=1e9,
        # Adaptive gossip rewrites heartbeat_interval to 30-60 s when "health" is low.
        adaptive_gossip_enabled=False,
        # Wants >= 3 distinct IPs in the mesh; a LAN or one machine has fewer.
        eclipse_protection_enabled=False,
    )


def make_pubsub(host: IHost, router: GossipSub, topic: str) -> Pubsub:
    return Pubsub(
        host,
        router,
        strict_signing=True,  # every gossip message signed by the peer that published it
        # Upstream caches validator verdicts by message id for 300 s, failures too.
        # Ours depend on context (rate limit, already stored), so a verdict about one
        # peer's copy must not be replayed on an honest peer's copy later.
        validation_cache_ttl=0,
        allowed_topics={topic},  # peers cannot make us track other topics
    )


# -- the validator -------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class GateStats:
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)


class RecordGate:
    """The topic validator: decides, before relaying, whether a gossip message is a record
    we want. The judging is the door's (door.py), the same for gossip, sync and import;
    this adapts it to pubsub. Synchronous, so pubsub calls it without a checkpoint
    (see `install`)."""

    def __init__(
        self,
        known: Callable[[RecordId], bool],
        me: ID,
        *,
        on_reject: Callable[[ID, str], None] | None = None,
        on_misbehaving: Callable[[ID], None] | None = None,
        rate: float = 50.0,
        burst: float = 200.0,
        max_skew: int = 600,
        strikes: int = 5,
        clock: Callable[[], float] = time.time,
        door: Door | None = None,
    ) -> None:
        """With no `door`, one of its own: every author a stranger, `rate` and `burst`
        the per-peer budget, `on_reject`/`on_misbehaving` told with the peer's ID."""
        self.me = me
        if door is None:

            def refused(peer: str, kind: str, detail: str, live: bool) -> None:
                if on_reject is not None and kind != "duplicate":
                    on_reject(ID.from_base58(peer), f"{kind}: {detail}")

            def misbehaving(peer: str) -> None:
                if on_misbehaving is not None:
                    on_misbehaving(ID.from_base58(peer))

            limits = DoorLimits(
                stranger_rate=rate, stranger_burst=burst, max_skew=max_skew, strikes=strikes
            )
            door = Door(
                known, limits=limits, on_refused=refused, on_misbehaving=misbehaving, clock=clock
            )
        self.door = door
        self._not_invalid = False

    @property
    def stats(self) -> GateStats:
        return GateStats(accepted=self.door.accepted_live, rejected=dict(self.door.rejected))

    def install(self, pubsub: Pubsub, router: GossipSub, topic: str) -> None:
        pubsub.set_topic_validator(topic, self, is_async_validator=False)
        scorer: Any = router.scorer
        if scorer is not None:
            original = scorer.on_invalid_message

            def on_invalid(peer: ID, topic: str) -> None:
                # Upstream validators return a bool, so every refusal counts as an
                # invalid message (P4). A duplicate (a record we got by sync first),
                # a rate-limited or a held one is not the sender's fault: push_msg
                # calls this right after our validator, with no checkpoint in
                # between, so the flag set there is still ours.
                skip, self._not_invalid = self._not_invalid, False
                if not skip:
                    original(peer, topic)

            scorer.on_invalid_message = on_invalid

    def forget(self, peer: ID) -> None:
        """Kept for callers; budgets now outlive a connection (a reconnect is no refill)."""

    def __call__(self, forwarder: ID, msg: rpc_pb2.Message) -> bool:
        self._not_invalid = False
        if forwarder == self.me:
            return True  # our own outbox: verified when it was written
        verdict = self.door.check(forwarder.to_base58(), msg.data, live=True)
        self._not_invalid = not verdict.invalid
        return verdict.ok

    def take(self, record_id: RecordId) -> Envelope | None:
        """The envelope the door verified for `record_id`, once (None if unknown)."""
        return self.door.take(record_id)
