"""Evidence as numpy rows, and the weighted edges the trust walk follows (DESIGN.md §5).

Owns the numeric half of the trust engine's graph: every vouch, receipt and
connector credit as a row of numpy columns (`Rows`: rows never move; a removed
record's row is marked dead), and their aggregation (`Edges`) into one weighted
edge per (signer, member) pair, its transition probability, and outcome totals per
(author, fulfiller) pair for the reliability factor. Members are indices in key
order; a pair is ``signer << 32 | member``.

Every aggregate is a function of the live rows of its own pair, summed in a
canonical order (by value), and every row sum in member order, so `Edges.patch`,
which recomputes only the pairs an update touches, leaves bit for bit the arrays a
full build from the same evidence leaves, whatever order the evidence came in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from p2pshare.domain.trust_solve import ALPHA

if TYPE_CHECKING:
    from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DAY = 86_400
VOUCH_WEIGHT = 1.0
VOUCH_HALF_LIFE = 730 * DAY  # a vouch loses half its weight every two years
RECEIPT_HALF_LIFE = 365 * DAY  # a receipt loses half its weight every year
FORWARD_SHARE = 0.25  # connector credit of one fulfilled receipt, shared by its forwarders
FAILURE_WEIGHT = 2.0  # a failed hand-off counts twice as much as a fulfilled one
DISPUTED = 0.5  # a failure the recipient disputes (their own outcome says fulfilled)


def repeated(units: FloatArray) -> FloatArray:
    """Failures one reporter signed about one member, with diminishing weight: the
    first counts 1, the next 1/2, then 1/4...: 2 (1 - 2^-units), never more than 2."""
    return np.asarray(2.0 * (1.0 - np.power(0.5, units)), dtype=np.float64)


SHIFT = np.int64(32)
LOW = np.int64((1 << 32) - 1)


def pair(a: IntArray, b: IntArray) -> IntArray:
    return np.asarray((a << SHIFT) | b, dtype=np.int64)


def decay(ages: FloatArray, half_life: int) -> FloatArray:
    """0.5 ** (age / half_life); evidence dated in the future counts as new."""
    return np.power(0.5, np.maximum(ages, 0.0) / half_life)


def _segments(sorted_pairs: IntArray) -> tuple[IntArray, IntArray]:
    """The distinct pairs of a sorted array, and each entry's segment number."""
    starts = np.empty(len(sorted_pairs), dtype=np.bool_)
    starts[:1] = True
    np.not_equal(sorted_pairs[1:], sorted_pairs[:-1], out=starts[1:])
    return sorted_pairs[starts], np.cumsum(starts) - 1


def unique(values: IntArray) -> IntArray:
    """Sorted distinct values (np.unique without its hash table, much faster here)."""
    return _segments(np.sort(values))[0]


def sum_by(pairs: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    """Sum `values` per pair in a canonical order (by pair, then value), so the float
    result does not depend on the order the records came in."""
    order = np.lexsort((values, pairs))
    uniq, inverse = _segments(pairs[order])
    sums = np.bincount(inverse, weights=values[order], minlength=len(uniq))
    return uniq, np.asarray(sums, dtype=np.float64)


def max_by(pairs: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    order = np.argsort(pairs, kind="stable")
    uniq, inverse = _segments(pairs[order])
    out = np.zeros(len(uniq), dtype=np.float64)
    np.maximum.at(out, inverse, values[order])
    return uniq, out


def spread(into: IntArray, pairs: IntArray, values: FloatArray) -> FloatArray:
    out = np.zeros(len(into), dtype=np.float64)
    out[np.searchsorted(into, pairs)] = values
    return out


def isin_sorted(values: IntArray, sorted_keys: IntArray) -> BoolArray:
    """values ∈ sorted_keys, elementwise, in O(len(values) log len(sorted_keys))."""
    if len(sorted_keys) <= 8:  # a few keys: one vectorized comparison each
        out = np.zeros(len(values), dtype=np.bool_)
        for key in sorted_keys.tolist():
            out |= values == key
        return out
    at = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return np.asarray(sorted_keys[at] == values, dtype=np.bool_)


def ranges(starts: IntArray, stops: IntArray) -> IntArray:
    """Concatenated aranges [start, stop) without a Python loop."""
    lengths = stops - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.asarray(offsets + np.arange(total), dtype=np.int64)


class Rows:
    """Growable numpy columns, one row per piece of evidence. Rows never move."""

    def __init__(self, **dtypes: type) -> None:
        self.size = 0
        self._data: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(0, dtype=dtype) for name, dtype in dtypes.items()
        }

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self._data[name][: self.size]

    def append(self, **columns: npt.NDArray[Any]) -> int:
        """Add rows (every column, equal lengths); returns the first new row."""
        count = len(next(iter(columns.values())))
        start, need = self.size, self.size + count
        for name, old in self._data.items():
            if need > len(old):
                grown = np.zeros(max(need + need // 8, 2 * len(old), 64), dtype=old.dtype)
                grown[: self.size] = old[: self.size]
                self._data[name] = grown
        for name, values in columns.items():
            self._data[name][start:need] = values
        self.size = need
        return start

    def remap(self, names: tuple[str, ...], remap: IntArray) -> None:
        """Renumber member columns after members joined (a monotone map old → new)."""
        for name in names:
            col = self[name]
            col[:] = remap[col]


class EvidenceRows:
    """All evidence rows. Only live, non-self rows count; forwards belong to a receipt row."""

    def __init__(self) -> None:
        self.vouches = Rows(src=np.int64, dst=np.int64, born=np.float64, alive=np.bool_)
        self.receipts = Rows(
            author=np.int64,
            fulfiller=np.int64,
            born=np.float64,
            rating=np.float64,
            ok=np.bool_,
            disputed=np.bool_,
            alive=np.bool_,
        )
        # one row per (receipt, forwarder); `credit` if it earns connector credit
        self.forwards = Rows(
            author=np.int64,
            router=np.int64,
            rec=np.int64,
            count=np.float64,
            credit=np.bool_,
            alive=np.bool_,
        )

    def remap(self, remap: IntArray) -> None:
        """Renumber members: remap[old] = new, monotone; -1 for members who left (only
        dead rows mention them; they become 0)."""
        remap = np.maximum(remap, 0)
        self.vouches.remap(("src", "dst"), remap)
        self.receipts.remap(("author", "fulfiller"), remap)
        self.forwards.remap(("author", "router"), remap)

    def mentioned(self, n: int) -> BoolArray:
        """Per member: does any live row mention them?"""
        out = np.zeros(n, dtype=np.bool_)
        for rows, names in (
            (self.vouches, ("src", "dst")),
            (self.receipts, ("author", "fulfiller")),
            (self.forwards, ("author", "router")),
        ):
            alive = rows["alive"]
            for name in names:
                out[rows[name][alive]] = True
        return out

    def units(self, rows: IntArray, now: float) -> tuple[FloatArray, FloatArray]:
        """Recency, and recency times rating, of receipt rows."""
        r = self.receipts
        recency = decay(now - r["born"][rows], RECEIPT_HALF_LIFE)
        rating = np.minimum(r["rating"][rows], 5.0)
        return recency, recency * np.where(rating > 0, 0.5 + 0.25 * (rating - 1.0), 1.0)

    def edge_sums(
        self, now: float, within: IntArray | None = None
    ) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
        """Per pair (all, or those in sorted `within`): vouch weight, fulfilled and
        forward units, before diminishing returns."""
        v, r, f = self.vouches, self.receipts, self.forwards
        vp = pair(v["src"], v["dst"])
        keep = v["alive"] & (v["src"] != v["dst"])
        if within is not None:
            keep &= isin_sorted(vp, within)
        rows = np.flatnonzero(keep)
        vouch_pairs, vouch_w = max_by(
            vp[rows], VOUCH_WEIGHT * decay(now - v["born"][rows], VOUCH_HALF_LIFE)
        )
        rp = pair(r["author"], r["fulfiller"])
        keep = r["alive"] & r["ok"] & (r["author"] != r["fulfiller"])
        if within is not None:
            keep &= isin_sorted(rp, within)
        rows = np.flatnonzero(keep)
        ful_pairs, ful_u = sum_by(rp[rows], self.units(rows, now)[1])
        fp = pair(f["author"], f["router"])
        keep = f["alive"] & f["credit"]
        if within is not None:
            keep &= isin_sorted(fp, within)
        rows = np.flatnonzero(keep)
        share = FORWARD_SHARE * self.units(f["rec"][rows], now)[1] / f["count"][rows]
        fwd_pairs, fwd_u = sum_by(fp[rows], share)
        pairs = unique(np.concatenate([vouch_pairs, ful_pairs, fwd_pairs]))
        return (
            pairs,
            spread(pairs, vouch_pairs, vouch_w),
            spread(pairs, ful_pairs, ful_u),
            spread(pairs, fwd_pairs, fwd_u),
        )

    def outcome_sums(
        self, now: float, within: IntArray | None = None
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Per (author, fulfiller): recency summed over fulfilled receipts, and the failed
        ones' weight: their recency summed with diminishing returns (`repeated`), times
        the part left once disputed failures count `DISPUTED`."""
        r = self.receipts
        rp = pair(r["author"], r["fulfiller"])
        keep = r["alive"] & (r["author"] != r["fulfiller"])
        if within is not None:
            keep &= isin_sorted(rp, within)
        rows = np.flatnonzero(keep)
        recency = self.units(rows, now)[0]
        ok = r["ok"][rows]
        failed = recency * np.where(r["disputed"][rows], DISPUTED, 1.0)
        good_pairs, good = sum_by(rp[rows][ok], recency[ok])
        bad_pairs, units = sum_by(rp[rows][~ok], recency[~ok])
        weighed = sum_by(rp[rows][~ok], failed[~ok])[1]
        # diminishing in the number of failures, then scaled by the disputed part
        bad = repeated(units) * np.divide(weighed, units, out=np.ones_like(units), where=units > 0)
        pairs = unique(np.concatenate([good_pairs, bad_pairs]))
        return pairs, spread(pairs, good_pairs, good), spread(pairs, bad_pairs, bad)


def _weights(
    vouch_w: FloatArray, ful_u: FloatArray, fwd_u: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    ful_w = np.log2(1.0 + ful_u)
    fwd_w = FORWARD_SHARE * np.log2(1.0 + fwd_u / FORWARD_SHARE)
    return ful_w, fwd_w, vouch_w + ful_w + fwd_w


def _insert(arr: npt.NDArray[Any], where: IntArray, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """np.insert, as one concatenation of slices when few values go in (np.insert
    builds index masks over the whole array)."""
    if len(where) > 64:
        return np.insert(arr, where, values)
    parts = []
    prev = 0
    for i, w in enumerate(where.tolist()):
        parts += [arr[prev:w], values[i : i + 1]]
        prev = w
    parts.append(arr[prev:])
    return np.concatenate(parts)


def _delete(arr: npt.NDArray[Any], at: IntArray) -> npt.NDArray[Any]:
    """np.delete, as one concatenation of slices when few entries go."""
    if len(at) > 64:
        return np.delete(arr, at)
    parts = []
    prev = 0
    for a in at.tolist():
        parts.append(arr[prev:a])
        prev = a + 1
    parts.append(arr[prev:])
    return np.concatenate(parts)


def _replace(
    keys: IntArray,
    cols: list[FloatArray],
    drop: IntArray,
    new_keys: IntArray,
    new_cols: list[FloatArray],
) -> tuple[IntArray, list[FloatArray]]:
    """Sorted `keys` (with parallel `cols`) with the keys in sorted `drop` removed and
    sorted `new_keys` inserted. The arrays may be changed in place."""
    at = np.flatnonzero(isin_sorted(keys, drop))
    if not len(at) and not len(new_keys):
        return keys, cols
    if np.array_equal(keys[at], new_keys):  # same pairs, new values: in place
        for c, nc in zip(cols, new_cols, strict=True):
            c[at] = nc
        return keys, cols
    if len(at):
        keys = _delete(keys, at)
        cols = [_delete(c, at) for c in cols]
    if len(new_keys):
        where = np.searchsorted(keys, new_keys)
        keys = _insert(keys, where, new_keys)
        cols = [_insert(c, where, nc) for c, nc in zip(cols, new_cols, strict=True)]
    return keys, cols


_COLUMNS = ("vouch_w", "ful_w", "fwd_w", "weight", "prob")


class Edges:
    """The weighted graph derived from `Evidence`: CSR by signer, in pair order."""

    def __init__(self, evidence: EvidenceRows, n: int, now: float) -> None:
        self.n = n
        self.pairs, self.vouch_w, ful_u, fwd_u = evidence.edge_sums(now)
        self.ful_w, self.fwd_w, self.weight = _weights(self.vouch_w, ful_u, fwd_u)
        self._split()
        self.indptr: IntArray = np.searchsorted(self.src, np.arange(n + 1))
        self.out: FloatArray = np.asarray(
            np.bincount(self.src, weights=self.weight, minlength=n), dtype=np.float64
        )
        self.prob: FloatArray = self.weight / self.out[self.src]
        self.o_pairs, self.o_good, self.o_bad = evidence.outcome_sums(now)
        self._derive()

    def _split(self) -> None:
        self.src: IntArray = self.pairs >> SHIFT
        self.dst: IntArray = self.pairs & LOW

    def _derive(self) -> None:
        self.o_author: IntArray = self.o_pairs >> SHIFT
        self.o_member: IntArray = self.o_pairs & LOW
        n = self.n
        dst, indptr = self.dst.astype(np.int32), self.indptr.astype(np.int32)
        # P: row u holds u's out-edges; and (1 - ALPHA) P^T, the same arrays read by column
        from scipy import sparse  # here: importing scipy costs the app's start ~0.25 s

        self.forward: sparse.csr_array = sparse.csr_array((self.prob, dst, indptr), shape=(n, n))
        self.matrix: sparse.csc_array = sparse.csc_array(
            ((1.0 - ALPHA) * self.prob, dst, indptr), shape=(n, n)
        )

    def patch(self, evidence: EvidenceRows, touched: IntArray, now: float) -> None:
        """Recompute the pairs in sorted `touched` (edge and outcome pairs alike)."""
        pairs, vouch_w, ful_u, fwd_u = evidence.edge_sums(now, touched)
        ful_w, fwd_w, weight = _weights(vouch_w, ful_u, fwd_u)
        n = self.n
        was = touched[isin_sorted(touched, self.pairs)]
        delta = np.bincount(pairs >> SHIFT, minlength=n) - np.bincount(was >> SHIFT, minlength=n)
        self.pairs, cols = _replace(
            self.pairs,
            [getattr(self, name) for name in _COLUMNS],
            touched,
            pairs,
            [vouch_w, ful_w, fwd_w, weight, np.zeros(len(pairs))],
        )
        for name, col in zip(_COLUMNS, cols, strict=True):
            setattr(self, name, col)
        self._split()
        self.indptr[1:] += np.cumsum(delta)
        rows = unique(touched >> SHIFT)
        edges = ranges(self.indptr[rows], self.indptr[rows + 1])
        local = np.repeat(np.arange(len(rows)), self.indptr[rows + 1] - self.indptr[rows])
        self.out[rows] = np.bincount(local, weights=self.weight[edges], minlength=len(rows))
        self.prob[edges] = self.weight[edges] / self.out[self.src[edges]]
        o_pairs, good, bad = evidence.outcome_sums(now, touched)
        self.o_pairs, (self.o_good, self.o_bad) = _replace(
            self.o_pairs, [self.o_good, self.o_bad], touched, o_pairs, [good, bad]
        )
        self._derive()

    def remap(self, remap: IntArray, n: int) -> None:
        """Renumber after members joined or left: `remap[old] = new`, monotone, -1 for a
        member who left (no edge mentions them any more); n is the new count."""
        self.n = n
        out = np.zeros(n, dtype=np.float64)
        stay = remap >= 0
        out[remap[stay]] = self.out[stay]
        self.out = out
        self.pairs = pair(remap[self.src], remap[self.dst])
        self._split()
        self.indptr = np.searchsorted(self.src, np.arange(n + 1))
        self.o_pairs = pair(remap[self.o_pairs >> SHIFT], remap[self.o_pairs & LOW])
        self._derive()

    def find(self, a: int, b: int, outcomes: bool = False) -> int | None:
        """Position of pair a → b among the edges (or the outcome pairs), if present."""
        pairs = self.o_pairs if outcomes else self.pairs
        key = (a << 32) | b
        i = int(np.searchsorted(pairs, key))
        return i if i < len(pairs) and int(pairs[i]) == key else None
