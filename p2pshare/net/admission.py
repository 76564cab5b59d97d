"""Admission of inbound connections: decided at accept time, before any handshake.

One host must not take every inbound slot, nor every handshake, at once: each
new inbound connection is counted against caps per IP and per /24 (/48), and
spends tokens of three handshake-rate buckets (the whole node, its IP, its
subnet). Loopback peers may be exempt from the per-address limits
(`ConnectionLimits.exempt_loopback`). Sync and pure (the clock is injectable),
so it is tested without sockets; the connection manager (connections.py) asks
it for every inbound connection and gives the ticket back when it closes.
"""

from __future__ import annotations

import ipaddress
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.net.connections import ConnectionLimits


def address_keys(ip: str) -> tuple[str, str, bool]:
    """(ip, its /24 or /48, is loopback); an IPv4-mapped IPv6 address counts as IPv4."""
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    prefix = 24 if addr.version == 4 else 48
    net = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
    return str(addr), str(net), addr.is_loopback


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float

    def take(self, rate: float, burst: float, now: float) -> bool:
        self.refill(rate, burst, now)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def refill(self, rate: float, burst: float, now: float) -> None:
        self.tokens = min(burst, self.tokens + (now - self.stamp) * rate)
        self.stamp = now


@dataclass(frozen=True, slots=True)
class Ticket:
    """An admitted inbound connection; give it back with `Admission.release`."""

    ip: str | None
    subnet: str | None
    counted: bool  # counted against the per-IP and per-subnet caps


class Admission:
    """Decides at accept time, before any handshake work, whether an inbound
    connection may go on. Sync and pure (the clock is injectable) for testing."""

    MAX_BUCKETS = 4096  # per-address buckets kept before the full ones are dropped

    def __init__(
        self, limits: ConnectionLimits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self._clock = clock
        self.per_ip: Counter[str] = Counter()
        self.per_subnet: Counter[str] = Counter()
        now = clock()
        self._node_bucket = _Bucket(limits.handshake_burst, now)
        self._ip_buckets: dict[str, _Bucket] = {}
        self._subnet_buckets: dict[str, _Bucket] = {}

    def admit(self, ip: str | None) -> Ticket | str:
        """A ticket, or the reason for refusing (the caller closes the socket)."""
        lim, now = self.limits, self._clock()
        if ip is None:  # no address to key on: only the node-wide rate applies
            if not self._node_bucket.take(lim.handshake_rate, lim.handshake_burst, now):
                return "handshake rate (node)"
            return Ticket(None, None, counted=False)
        try:
            addr, subnet, loopback = address_keys(ip)
        except ValueError:
            addr, subnet, loopback = ip, ip, False
        counted = not (loopback and lim.exempt_loopback)
        if counted:
            if self.per_ip[addr] >= lim.per_ip:
                return "per-IP cap"
            if self.per_subnet[subnet] >= lim.per_subnet:
                return "per-subnet cap"
            ip_bucket = self._bucket(
                self._ip_buckets, addr, lim.ip_handshake_rate, lim.ip_handshake_burst, now
            )
            net_bucket = self._bucket(
                self._subnet_buckets,
                subnet,
                lim.subnet_handshake_rate,
                lim.subnet_handshake_burst,
                now,
            )
            if ip_bucket.tokens < 1.0:
                return "handshake rate (IP)"
            if net_bucket.tokens < 1.0:
                return "handshake rate (subnet)"
        if not self._node_bucket.take(lim.handshake_rate, lim.handshake_burst, now):
            return "handshake rate (node)"
        if counted:  # every check passed: only now spend the address tokens
            ip_bucket.tokens -= 1.0
            net_bucket.tokens -= 1.0
            self.per_ip[addr] += 1
            self.per_subnet[subnet] += 1
        return Ticket(addr, subnet, counted)

    def release(self, ticket: Ticket) -> None:
        if not ticket.counted or ticket.ip is None or ticket.subnet is None:
            return
        for counter, key in ((self.per_ip, ticket.ip), (self.per_subnet, ticket.subnet)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]

    def _bucket(
        self, buckets: dict[str, _Bucket], key: str, rate: float, burst: float, now: float
    ) -> _Bucket:
        """The key's bucket, refilled to now (created full)."""
        bucket = buckets.get(key)
        if bucket is None:
            if len(buckets) >= self.MAX_BUCKETS:
                _drop_full(buckets, rate, burst, now, self.MAX_BUCKETS)
            bucket = buckets[key] = _Bucket(burst, now)
        bucket.refill(rate, burst, now)
        return bucket


def _drop_full(
    buckets: dict[str, _Bucket], rate: float, burst: float, now: float, limit: int
) -> None:
    """Forget buckets that have refilled (a new one starts full anyway); if that is
    not enough, the oldest half (a very wide attacker gains a few tokens, not memory)."""
    for key, bucket in list(buckets.items()):
        bucket.refill(rate, burst, now)
        if bucket.tokens >= burst:
            del buckets[key]
    if len(buckets) >= limit:
        for key in list(buckets)[: len(buckets) // 2]:
            del buckets[key]
