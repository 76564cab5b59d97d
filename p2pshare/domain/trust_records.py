"""Trust evidence records as numbered members and numpy rows (DESIGN.md §5).

Owns the bookkeeping between records and arrays for the trust engine: members
numbered in key order (new members numbered in, members no evidence mentions any
more numbered out), each record's rows in `EvidenceRows` and the way back from a
record id to its rows. Bulk loads number keys by their first 8 bytes in numpy
rather than one dictionary lookup per key. trust.py drives it; trust_edges.py
aggregates the rows.
"""

from __future__ import annotations

import itertools
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from p2pshare.domain.trust_edges import EvidenceRows, IntArray, pair

if TYPE_CHECKING:
    from collections.abc import Iterable

    from p2pshare.domain.evidence import Receipt, VouchEdge
    from protocol import PublicKey, RecordId

_get = {
    name: attrgetter(name)
    for name in (
        *("id", "voucher", "subject", "author", "fulfiller", "forwarders"),
        *("created_at", "rating", "fulfilled", "disputed"),
    )
}
_BULK = 4096  # records from which keys are numbered by vectorized search, not dict lookups


class RecordRows:
    """Members in key order, and the evidence rows of every record."""

    def __init__(self) -> None:
        self.keys: list[PublicKey] = []
        self.index: dict[PublicKey, int] = {}
        self.rows = EvidenceRows()
        self.vouch_ids: list[RecordId] = []  # vouch row -> record id
        self._prefixes: npt.NDArray[np.uint64] | None = None
        self.receipt_ids: list[RecordId] = []  # receipt row -> record id
        # record id -> row, built on the first removal (most graphs never need it)
        self._vouch_row: dict[RecordId, int] | None = None
        self._receipt_row: dict[RecordId, int] | None = None

    def load(self, vouches: list[VouchEdge], receipts: list[Receipt]) -> None:
        """Number every member the records mention, then add their rows."""
        seen = set(map(_get["voucher"], vouches))
        seen.update(map(_get["subject"], vouches))
        seen.update(map(_get["author"], receipts))
        seen.update(map(_get["fulfiller"], receipts))
        seen.update(itertools.chain.from_iterable(map(_get["forwarders"], receipts)))
        self.set_keys(sorted(seen))
        self.append_vouches(vouches)
        self.append_receipts(receipts)

    def set_keys(self, keys: list[PublicKey]) -> None:
        self.keys = keys
        self.index = dict(zip(keys, range(len(keys)), strict=True))
        self._prefixes = None

    def _ints(self, keys: Iterable[PublicKey], count: int) -> IntArray:
        """Member numbers of `keys`. Many at once: by the keys' first 8 bytes, searched
        in numpy, when those tell every member apart (32-byte keys: always, in practice)."""
        if count >= _BULK:
            if self._prefixes is None:
                self._prefixes = _prefixes(self.keys)
            if len(self._prefixes):
                found = np.searchsorted(self._prefixes, _prefixes(list(keys), check=False))
                return np.asarray(found, dtype=np.int64)
        return np.fromiter(map(self.index.__getitem__, keys), dtype=np.int64, count=count)

    def append_vouches(self, vouches: list[VouchEdge]) -> IntArray:
        """Rows for new vouches; returns the pairs they touch."""
        k = len(vouches)
        src = self._ints(map(_get["voucher"], vouches), k)
        dst = self._ints(map(_get["subject"], vouches), k)
        start = self.rows.vouches.append(
            src=src,
            dst=dst,
            born=np.fromiter(map(_get["created_at"], vouches), dtype=np.float64, count=k),
            alive=np.ones(k, dtype=np.bool_),
        )
        ids = list(map(_get["id"], vouches))
        if self._vouch_row is not None:
            self._vouch_row.update(zip(ids, range(start, start + k), strict=True))
        self.vouch_ids.extend(ids)
        return pair(src, dst)

    def append_receipts(self, receipts: list[Receipt]) -> IntArray:
        """Rows for new receipts and their connector credit; returns the pairs they touch."""
        k = len(receipts)
        author = self._ints(map(_get["author"], receipts), k)
        fulfiller = self._ints(map(_get["fulfiller"], receipts), k)
        start = self.rows.receipts.append(
            author=author,
            fulfiller=fulfiller,
            born=np.fromiter(map(_get["created_at"], receipts), dtype=np.float64, count=k),
            rating=np.fromiter(map(_get["rating"], receipts), dtype=np.float64, count=k),
            ok=np.fromiter(map(_get["fulfilled"], receipts), dtype=np.bool_, count=k),
            disputed=np.fromiter(map(_get["disputed"], receipts), dtype=np.bool_, count=k),
            alive=np.ones(k, dtype=np.bool_),
        )
        ids = list(map(_get["id"], receipts))
        if self._receipt_row is not None:
            self._receipt_row.update(zip(ids, range(start, start + k), strict=True))
        self.receipt_ids.extend(ids)
        # one row per (receipt, distinct forwarder): only receipts with forwarders
        at: list[int] = []
        fk: list[PublicKey] = []
        fcount: list[float] = []
        credit: list[bool] = []
        for pos in itertools.compress(range(k), map(_get["forwarders"], receipts)):
            r = receipts[pos]
            if len(r.forwarders) == 1:  # the common case, without sets
                key = r.forwarders[0]
                at.append(pos)
                fk.append(key)
                fcount.append(1.0)
                credit.append(r.fulfilled and key != r.author != r.fulfiller != key)
                continue
            ends = {r.author, r.fulfiller}
            routers = set(r.forwarders) - ends
            earns = r.fulfilled and len(ends) == 2
            for key in set(r.forwarders):
                at.append(pos)
                fk.append(key)
                fcount.append(float(max(1, len(routers))))
                credit.append(earns and key in routers)
        rec = np.array(at, dtype=np.int64)
        fwd_a = author[rec]
        fwd_k = self._ints(fk, len(fk))
        self.rows.forwards.append(
            author=fwd_a,
            router=fwd_k,
            rec=rec + start,
            count=np.array(fcount, dtype=np.float64),
            credit=np.array(credit, dtype=np.bool_),
            alive=np.ones(len(fk), dtype=np.bool_),
        )
        return np.concatenate([pair(author, fulfiller), pair(fwd_a, fwd_k)])

    def forget_vouch(self, rid: RecordId) -> IntArray:
        """Mark a vouch's row dead; returns the pair it touched."""
        if self._vouch_row is None:  # later rows win: a re-added id's live row
            self._vouch_row = {r: row for row, r in enumerate(self.vouch_ids)}
        row = self._vouch_row.pop(rid)
        v = self.rows.vouches
        v["alive"][row] = False
        return pair(v["src"][row : row + 1], v["dst"][row : row + 1])

    def forget_receipt(self, rid: RecordId) -> IntArray:
        """Mark a receipt's rows (its forwards too) dead; returns the pairs they touched."""
        if self._receipt_row is None:
            self._receipt_row = {r: row for row, r in enumerate(self.receipt_ids)}
        row = self._receipt_row.pop(rid)
        r, f = self.rows.receipts, self.rows.forwards
        r["alive"][row] = False
        fwd = np.flatnonzero(f["rec"] == row)
        f["alive"][fwd] = False
        return np.concatenate(
            [
                pair(r["author"][row : row + 1], r["fulfiller"][row : row + 1]),
                pair(f["author"][fwd], f["router"][fwd]),
            ]
        )

    def join(self, joining: list[PublicKey]) -> IntArray:
        """Number new members into key order; returns remap[old] = new."""
        keys = sorted(self.keys + joining)  # two sorted runs: a linear merge
        self.set_keys(keys)
        new = np.array([self.index[k] for k in joining], dtype=np.int64)
        remap = np.delete(np.arange(len(keys), dtype=np.int64), new)
        self.rows.remap(remap)
        return remap

    def drop_unmentioned(self) -> tuple[IntArray, list[PublicKey]] | None:
        """Number out members no live row mentions; returns remap[old] = new (-1: gone)
        and who left, or None if nobody did."""
        live = self.rows.mentioned(len(self.keys))
        if live.all():
            return None
        stay = np.flatnonzero(live)
        remap = np.full(len(self.keys), -1, dtype=np.int64)
        remap[stay] = np.arange(len(stay))
        gone = [self.keys[i] for i in np.flatnonzero(~live).tolist()]
        self.set_keys([self.keys[i] for i in stay.tolist()])
        self.rows.remap(remap)
        return remap, gone


def _prefixes(keys: list[PublicKey], check: bool = True) -> npt.NDArray[np.uint64]:
    """The first 8 bytes of 32-byte keys as big-endian integers (key order is their
    order). With `check`, empty unless every key is 32 bytes and the prefixes differ."""
    if check and any(len(k) != 32 for k in keys):
        return np.zeros(0, dtype=np.uint64)
    out = np.frombuffer(b"".join(keys), dtype=">u8").reshape(-1, 4)[:, 0].astype(np.uint64)
    if check and len(out) > 1 and not bool((out[1:] > out[:-1]).all()):
        return np.zeros(0, dtype=np.uint64)
    return out
