"""The connection manager: inbound slots that come back, per-address caps, a
handshake rate limit, and trimming to a high-water mark.

Upstream cause (py-libp2p 0.8.1, libp2p/network/swarm.py): every inbound
connection takes a token of `Swarm._inbound_limiter` (max_connections -
min_connections, 300 here) in `Swarm._handle_inbound_connection`, which gives it
back when `Swarm._do_handle_inbound_connection` returns. That method, once the
connection is upgraded, waits on `self.manager.wait_finished()`, i.e. until the
whole swarm stops, not until the connection closes. So every inbound connection,
however short, keeps its slot for the node's lifetime: after ~300 of them
(a laptop that reconnects each morning, a port scanner, or one peer opening and
closing 300 connections) the node refuses every newcomer until it restarts.

Workaround, in our code only: `ConnectionManager.install()` replaces
`_do_handle_inbound_connection` on *our own swarm instance* (an instance
attribute; the installed package is not edited and other swarms are untouched)
with `_handle_inbound`, which does what upstream does for a TCP connection
(connection gate, RawConnection, `upgrade_inbound_raw_conn`) and then waits for
*that connection* to close. When it returns, upstream's own `finally` releases
the limiter token. Before the handshake it asks `Admission` (admission.py: caps
per IP and per /24 or /48, token buckets for new handshakes), so one host cannot
take every slot, nor every handshake, at once. `run()` trims unprotected inbound
connections to `low_water` whenever the node holds more than `high_water`; peers
we dialled and peers the node calls protected (trusted) are never trimmed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import trio
from libp2p.abc import IHost, IMuxedConn
from libp2p.network.connection.raw_connection import RawConnection
from libp2p.rcmgr import Direction

from p2pshare.net.admission import Admission, Ticket

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

RECHECK_SECONDS = 2.0  # how often a waiting handler re-checks its connection is still there
TRIM_INTERVAL = 1.0  # how often the trimmer looks, besides being woken by new connections
SUMMARY_INTERVAL = 60.0  # at most one INFO line about refusals per this many seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionLimits:
    """Limits on inbound connections. Outbound ones (we dialled) are never refused
    or trimmed here; upstream's hard cap (max_connections, 300) still applies to all."""

    per_ip: int = 8  # concurrent inbound connections (handshakes included) from one IP
    per_subnet: int = 32  # ... from one /24 (IPv4) or /48 (IPv6)
    handshake_rate: float = 20.0  # new inbound handshakes per second, whole node
    handshake_burst: float = 40.0
    ip_handshake_rate: float = 2.0  # ... from one IP
    ip_handshake_burst: float = 8.0
    subnet_handshake_rate: float = 4.0  # ... from one /24 or /48
    subnet_handshake_burst: float = 16.0
    high_water: int = 96  # above this many connections, trim ...
    low_water: int = 64  # ... down to this many
    grace: float = 5.0  # seconds a new inbound connection is safe from trimming
    # Loopback peers are on this machine (several members' nodes, the demo):
    # exempt from the per-IP and per-subnet caps and buckets (as go-libp2p's
    # default prefix limits do), not from the node-wide handshake rate. Note a
    # local reverse proxy or tunnel makes remote peers look like loopback.
    exempt_loopback: bool = True


@dataclass(slots=True)
class _Inbound:
    muxed: Any
    ticket: Ticket
    since: float


class ConnectionManager:
    """Owns inbound admission and trimming for one host. `install()` before the host
    listens; run `run()` in a nursery while the host is up."""

    def __init__(
        self,
        host: IHost,
        limits: ConnectionLimits | None = None,
        *,
        protected: Callable[[str], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits or ConnectionLimits()
        self._swarm: Any = host.get_network()
        self._protected = protected or (lambda member_id: False)
        self._clock = clock
        self.admission = Admission(self.limits, clock)
        self._inbound: dict[int, _Inbound] = {}
        self._wake = trio.Event()
        self.accepted = 0  # inbound connections that completed their handshake
        self.trimmed = 0
        self.refused: Counter[str] = Counter()  # reason -> count, over the node's life
        self._recent: Counter[str] = Counter()  # since the last INFO summary
        self._summary_at = -math.inf  # the first refusal is logged at once

    def install(self) -> None:
        """Replace `_do_handle_inbound_connection` on this host's swarm instance only
        (see the module docstring for the upstream cause)."""
        if not hasattr(self._swarm, "_do_handle_inbound_connection"):
            raise RuntimeError("this py-libp2p swarm has no _do_handle_inbound_connection")
        self._swarm._do_handle_inbound_connection = self._handle_inbound

    def inbound_count(self) -> int:
        return len(self._inbound)

    # -- admission ------------------------------------------------------------

    async def _handle_inbound(self, conn: Any, maddr: Any, failure_event: Any = None) -> None:
        """Upstream's inner inbound handler, except that it returns (and so frees the
        slot upstream's caller took) when this connection closes."""
        swarm = self._swarm
        ip = _remote_ip(conn)
        verdict = self.admission.admit(ip)
        if isinstance(verdict, str):
            self._refuse(verdict, ip)
            with contextlib.suppress(Exception):
                await conn.close()
            return
        try:
            remote = _remote_maddr(swarm, conn)
            if remote is not None and not await swarm.connection_gate.is_allowed(remote):
                self._refuse("connection gate", ip)
                with contextlib.suppress(Exception):
                    await conn.close()
                return
            if isinstance(conn, IMuxedConn):  # QUIC-like, already secured and muxed
                muxed: Any = conn
                try:
                    await swarm.add_conn(muxed, direction="inbound")
                except Exception as exc:
                    log.debug("inbound connection from %s failed: %s", ip, exc)
                    with contextlib.suppress(Exception):
                        await conn.close()
                    return
            else:
                raw = RawConnection(conn, False)
                try:
                    muxed = await swarm.upgrade_inbound_raw_conn(raw, maddr)
                except Exception as exc:
                    log.debug("inbound handshake from %s failed: %s", ip, exc)
                    with contextlib.suppress(Exception):
                        await raw.close()
                    return
            self.accepted += 1
            key = id(muxed)
            self._inbound[key] = _Inbound(muxed, verdict, self._clock())
            try:
                if len(swarm.get_connections()) > self.limits.high_water:
                    self._wake.set()
                await _wait_closed(swarm, muxed)
            finally:
                self._inbound.pop(key, None)
        finally:
            self.admission.release(verdict)

    def _refuse(self, reason: str, ip: str | None) -> None:
        log.debug("refused an inbound connection from %s: %s", ip, reason)
        self.refused[reason] += 1
        self._recent[reason] += 1
        self._summarise()

    def _summarise(self) -> None:
        """One INFO line about recent refusals, at most every SUMMARY_INTERVAL."""
        now = self._clock()
        if not self._recent or now - self._summary_at < SUMMARY_INTERVAL:
            return
        total = sum(self._recent.values())
        detail = ", ".join(f"{reason} {n}" for reason, n in self._recent.most_common())
        log.info("refused %d inbound connections (%s)", total, detail)
        self._recent.clear()
        self._summary_at = now

    # -- trimming -------------------------------------------------------------

    async def run(self) -> None:
        """Trim whenever the node holds more than `high_water` connections."""
        while True:
            with trio.move_on_after(TRIM_INTERVAL):
                await self._wake.wait()
            self._wake = trio.Event()
            self._summarise()  # refusals that came since the last line, if any
            try:
                await self.trim()
            except Exception:
                log.exception("trimming connections failed")

    def trim_candidates(self) -> list[Any]:
        """SwarmConns that may be closed, first to go first: inbound, past their
        grace, not protected, not to a peer we also dialled; from the most crowded
        subnet, then the most crowded IP, then the newest."""
        swarm, now = self._swarm, self._clock()
        by_ip: Counter[str | None] = Counter(e.ticket.ip for e in self._inbound.values())
        by_net: Counter[str | None] = Counter(e.ticket.subnet for e in self._inbound.values())
        ranked: list[tuple[int, int, float, Any]] = []
        for entry in list(self._inbound.values()):
            if now - entry.since < self.limits.grace:
                continue
            peer = entry.muxed.peer_id
            conns = list(swarm.connections.get(peer, ()))
            if any(_is_outbound(c) for c in conns):
                continue  # we dialled this peer: keep it
            if self._protected(peer.to_base58()):
                continue
            conn = next((c for c in conns if c.muxed_conn is entry.muxed), None)
            if conn is None or conn.is_closed:
                continue
            ranked.append(
                (-by_net[entry.ticket.subnet], -by_ip[entry.ticket.ip], -entry.since, conn)
            )
        ranked.sort(key=lambda r: r[:3])
        return [r[3] for r in ranked]

    async def trim(self) -> int:
        """Close unprotected inbound connections down to `low_water`; how many closed."""
        total = len(self._swarm.get_connections())
        if total <= self.limits.high_water:
            return 0
        victims = self.trim_candidates()[: total - self.limits.low_water]
        if not victims:
            return 0
        log.info(
            "trimming %d of %d connections (high water %d)",
            len(victims),
            total,
            self.limits.high_water,
        )
        self.trimmed += len(victims)
        with trio.move_on_after(5):
            async with trio.open_nursery() as nursery:
                for conn in victims:
                    nursery.start_soon(_close, conn)
        return len(victims)


async def close_all(host: Any) -> None:
    """Close every connection at once (call before host.close()).

    Upstream: Swarm.close() closes connections one after another and each
    Yamux.close() ends in `trio.sleep(0.1)`, so a node with 20 peers took over
    2 s to stop. Closed here in parallel, SwarmConn.close() is idempotent and
    host.close() finds nothing left to wait for.
    """
    swarm = host.get_network()
    conns = [conn for group in list(swarm.connections.values()) for conn in list(group)]
    async with trio.open_nursery() as nursery:
        for conn in conns:
            nursery.start_soon(_close, conn)


async def _close(conn: Any) -> None:
    try:
        await conn.close()
    except Exception:
        log.debug("closing a trimmed connection failed", exc_info=True)


async def _wait_closed(swarm: Any, muxed: Any) -> None:
    """Until the swarm no longer holds this muxed connection open."""
    while True:
        conn = next(
            (c for c in swarm.connections.get(muxed.peer_id, ()) if c.muxed_conn is muxed), None
        )
        if conn is None or conn.is_closed or getattr(muxed, "is_closed", False):
            return
        with trio.move_on_after(RECHECK_SECONDS):
            await conn.event_closed.wait()


def _is_outbound(conn: Any) -> bool:
    return getattr(conn, "direction", None) == Direction.OUTBOUND


def _remote_ip(conn: Any) -> str | None:
    try:
        remote = conn.get_remote_address()
    except Exception:
        return None
    if not remote:
        return None
    return str(remote[0])


def _remote_maddr(swarm: Any, conn: Any) -> Any:
    build = getattr(swarm, "_build_remote_multiaddr", None)
    if build is None:
        return None
    try:
        return build(conn)
    except Exception:
        return None
