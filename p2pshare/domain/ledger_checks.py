"""The checks every ledger rule starts with, and what one pass has decided so far.

A rule (ledger_rules.py) reads a record of its partition only after deciding
what the record names: that the named record is here (else the record waits,
`pending`), of the kind it must be, in this partition (another offer's forward
or accept is rejected from its body alone), not itself waiting or rejected, and
not dated after the record naming it (a skewed clock); an offer's records must
also come before it was withdrawn or expired. Kept apart from the rules because
every rule shares them, and they hold the one pass's decisions (rejected,
pending, and the links, accepts and hand-offs that stand) the rules fill in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from p2pshare.domain.ledger_part import Handed, Lookup, order, partition_of, short
from protocol import Accept, Envelope, Forward, Handoff, Offer, RecordId, Vouch

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from p2pshare.domain.ledger_views import AcceptView, ForwardLink


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


_B = TypeVar("_B", Offer, Forward, Accept, Handoff, Vouch)


class PartitionChecks:
    """What one pass over a partition has decided so far, and the checks each rule
    starts with: the records it names, the offer's being open, the dates."""

    def __init__(
        self,
        key: RecordId,
        records: Iterable[Envelope],
        lookup: Lookup,
        void: Mapping[RecordId, str],
    ) -> None:
        self.key = key
        self.lookup = lookup
        self.sorted = sorted(records, key=order)
        self.void = void
        self.rejected: dict[RecordId, str] = {}
        self.pending: dict[RecordId, RecordId] = {}
        self.withdraw: Envelope | None = None  # the withdraw that counts
        self.links: dict[RecordId, ForwardLink] = {}
        self.accepts: dict[RecordId, AcceptView] = {}
        self.handoffs: dict[RecordId, Handed] = {}

    def _reject(self, env: Envelope, reason: str) -> None:
        self.rejected[env.id] = f"{env.body.NAME}: {reason}"

    def _ref(
        self, env: Envelope, target: RecordId, cls: type[_B], what: str, foreign: str = ""
    ) -> _B | None:
        """The body of the record `env` refers to, if it stands; else file `env` as
        pending (the target is missing, or waits itself) or rejected, and return None.

        A target of the right kind in another partition is rejected with `foreign`,
        from its body alone."""
        ref = self.lookup(target)
        if ref is None:
            self.pending[env.id] = target
            return None
        if not isinstance(ref.body, cls):
            found, wanted = _a(ref.body.NAME), _a(cls.NAME)
            self._reject(env, f"its {what} {short(target)} is {found}, not {wanted}")
            return None
        if target != self.key and partition_of(ref) != self.key:
            self._reject(env, foreign)
            return None
        if (missing := self.pending.get(target)) is not None:
            self.pending[env.id] = missing  # wait for what the target waits for
            return None
        if target in self.rejected:
            self._reject(env, f"its {what} {short(target)} was rejected")
            return None
        return ref.body

    def _offer(self, env: Envelope) -> Envelope | None:
        """The partition's offer, if `env` may refer to it (`env` is filed otherwise)."""
        if self._ref(env, self.key, Offer, "offer") is None:
            return None
        return self.lookup(self.key)

    def _closed(self, env: Envelope, body: Offer) -> bool:
        """Reject `env` if it came after the offer was withdrawn or expired."""
        if self.withdraw is not None and self.withdraw.created_at <= env.created_at:
            self._reject(env, "the offer had been withdrawn")
            return True
        if env.created_at > body.expires_at:
            self._reject(env, "the offer had expired")
            return True
        return False

    def _dated_before(self, env: Envelope, target: RecordId, what: str) -> bool:
        """Reject `env` if its date is before that of a record it names (a skewed clock)."""
        ref = self.lookup(target)
        if ref is not None and env.created_at < ref.created_at:
            self._reject(env, f"dated before its {what}")
            return True
        return False

    def _decided(self, record: RecordId) -> bool:
        return record in self.links or record in self.rejected or record in self.pending
