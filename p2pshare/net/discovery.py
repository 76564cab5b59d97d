"""Finding peers: bootstrap config, remembered peers with redial backoff, and mDNS.

Peers come from --peer, the home's config.toml (`peers = ["/ip4/...", "p2ps1:..."]`),
peers.json (every peer this node was connected to, with the addresses it
listens on), peers learned from connected peers (peer_exchange.py) and mDNS.
The node dials them up to a bound, backing off exponentially per peer.
"""

from __future__ import annotations

import json
import logging
import random
import time
import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import trio

from p2pshare.errors import UserError
from p2pshare.net.invite import parse_peer
from p2pshare.store.files import write_private

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from p2pshare.member.home import Home

log = logging.getLogger(__name__)

MAX_REMEMBERED = 200
BACKOFF_MIN = 1.0
BACKOFF_MAX = 300.0
# A relay came (back) or reserved for us: the peers behind it are redialled at
# most this far apart for VIA_WINDOW s (they reserve on it again meanwhile).
VIA_CAP = 4.0
VIA_WINDOW = 60.0


def config_peers(home: Home) -> list[str]:
    """The `peers` list of the home's config.toml ([] if absent; errors are logged)."""
    try:
        with open(home.config_file, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        return []
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("ignoring %s: %s", home.config_file, exc)
        return []
    peers = data.get("peers", [])
    if not isinstance(peers, list) or not all(isinstance(p, str) for p in peers):
        log.warning("ignoring %s: `peers` must be a list of strings", home.config_file)
        return []
    return peers


def bootstrap(book: PeerBook, home: Home, given: Sequence[str]) -> list[str]:
    """Put the peers given (--peer) and config.toml's in the book; their member ids.
    One that does not parse is logged and skipped."""
    configured = []
    for text in (*given, *config_peers(home)):
        try:
            peer = parse_peer(text)
        except UserError as exc:
            log.warning("ignoring peer %r: %s", text[:80], exc)
            continue
        book.add(peer.member_id, peer.addrs)
        configured.append(peer.member_id)
    return configured


@dataclass(slots=True)
class _Entry:
    addrs: list[str]
    last_seen: float
    failures: int = 0
    next_try: float = 0.0
    relay: bool = False  # it held a reservation for us once (relay.py): dialled first
    soon_until: float = 0.0  # (clock) until then, failures back off at most VIA_CAP s


class PeerBook:
    """Known peers and when to dial them next; persisted to peers.json (atomically)."""

    def __init__(self, path: Path, me: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self.me = me
        self._clock = clock
        self._peers: dict[str, _Entry] = {}
        self._dirty = False

    def load(self) -> None:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("ignoring %s: %s", self.path, exc)
            return
        if not isinstance(raw, dict):
            return
        for peer, info in list(raw.items())[:MAX_REMEMBERED]:
            if isinstance(info, dict) and isinstance(info.get("addrs"), list):
                addrs = [a for a in info["addrs"] if isinstance(a, str)][:16]
                entry = _Entry(addrs, float(info.get("last_seen", 0)))
                entry.relay = info.get("relay") is True
                self._peers[str(peer)] = entry

    def save(self) -> None:
        if not self._dirty:
            return
        data = {
            peer: {"addrs": e.addrs, "last_seen": e.last_seen}
            | ({"relay": True} if e.relay else {})
            for peer, e in sorted(self._peers.items(), key=lambda kv: -kv[1].last_seen)[
                :MAX_REMEMBERED
            ]
        }
        try:  # mode 0600: whom this member talks to is nobody else's business
            write_private(self.path, json.dumps(data, indent=1).encode("utf-8"))
            self._dirty = False
        except OSError as exc:
            log.warning("cannot save %s: %s", self.path, exc)

    def add(
        self,
        peer: str,
        addrs: list[str] | tuple[str, ...],
        *,
        seen: bool = False,
        own: bool = False,
    ) -> bool:
        """Remember addresses of a peer; True if the peer is new to the book.

        New addresses go first. `own`: the peer's own listing (peer exchange), which
        replaces what the book had (stale circuits through relays it left go)."""
        if peer == self.me:
            return False
        addrs = [a for a in addrs if a.endswith("/p2p/" + peer)]
        entry = self._peers.get(peer)
        new = entry is None
        if entry is None:
            if not addrs:
                return False
            entry = self._peers[peer] = _Entry([], 0.0)
        kept = [] if own and addrs else entry.addrs
        merged = list(dict.fromkeys([*addrs, *kept]))[:16]
        if merged != entry.addrs:
            entry.addrs = merged
            self._dirty = True
        if seen:
            entry.last_seen = time.time()
            entry.failures, entry.next_try = 0, 0.0
            self._dirty = True
        return new

    def addrs(self, peer: str) -> list[str]:
        entry = self._peers.get(peer)
        return list(entry.addrs) if entry else []

    def failed(self, peer: str, *, cap: float = BACKOFF_MAX) -> None:
        """A dial failed: wait 1, 2, 4 ... 300 s (or `cap`; with jitter) before the next one."""
        entry = self._peers.get(peer)
        if entry is None:
            return
        entry.failures += 1
        if self._clock() < entry.soon_until:
            cap = min(cap, VIA_CAP)
        delay = min(cap, BACKOFF_MAX, BACKOFF_MIN * 2 ** (min(entry.failures, 20) - 1))
        entry.next_try = self._clock() + delay * random.uniform(0.8, 1.2)

    def due(self, exclude: set[str]) -> list[str]:
        """Peers to dial now: relays that served us first (a node behind NAT is
        reachable only through them), then the most recently seen."""
        now = self._clock()
        ready = [
            (peer, e)
            for peer, e in self._peers.items()
            if peer not in exclude and e.addrs and e.next_try <= now
        ]
        ready.sort(key=lambda kv: (not kv[1].relay, -kv[1].last_seen))
        return [peer for peer, _ in ready]

    def mark_relay(self, peer: str) -> None:
        """`peer` holds (held) a reservation for us: remember it, dial it first."""
        entry = self._peers.get(peer)
        if entry is not None and not entry.relay:
            entry.relay = True
            self._dirty = True

    def retry(self, peer: str) -> None:
        """Dial `peer` at the next chance, whatever its backoff (fresh addresses)."""
        entry = self._peers.get(peer)
        if entry is not None:
            entry.next_try = 0.0

    def retry_via(self, relay: str) -> list[str]:
        """A relay came (back), or reserved for us: peers reached through it are due
        now, whatever their backoff (they failed because it was gone), and start
        over at 1 s, at most VIA_CAP s apart for VIA_WINDOW s: their own reservation
        on it may come a while later (the first dials get NO_RESERVATION). The
        peers, to wake the dialer."""
        via = f"/p2p/{relay}/p2p-circuit/"
        until = self._clock() + VIA_WINDOW
        due = []
        for peer, entry in self._peers.items():
            if any(via in a for a in entry.addrs):
                entry.failures, entry.next_try = 0, 0.0
                entry.soon_until = until
                due.append(peer)
        return due

    def known(self) -> list[tuple[str, list[str]]]:
        return [(p, list(e.addrs)) for p, e in self._peers.items() if e.addrs]


class Mdns:
    """py-libp2p's mDNS, started and stopped in a worker thread.

    Upstream: Zeroconf() binds UDP 5353 and starts threads in the constructor and
    `register()` blocks ~1.6 s (FINDINGS §9), inside host.run() when enable_mDNS
    is set, freezing the trio loop (and the app, in guest mode). Here both happen
    in trio.to_thread after the node has reported itself started. Discoveries
    arrive on zeroconf's thread and hop into trio via the TrioToken.

    Upstream's MDNSDiscovery always opens Zeroconf() on every interface; we build
    its broadcaster and listener around our own Zeroconf instead, so that a node
    listening on loopback only announces itself on loopback only (announcing
    127.0.0.1 addresses to the LAN helps nobody, and tests stay on 127.0.0.1).
    """

    def __init__(self, on_peer: Callable[[str, list[str]], None]) -> None:
        self._on_peer = on_peer
        self._token: trio.lowlevel.TrioToken | None = None
        self._mdns: Any = None
        self._handler: Any = None

    async def start(self, host: Any) -> None:
        from libp2p.discovery.events.peerDiscovery import peerDiscovery

        self._token = trio.lowlevel.current_trio_token()
        addrs = [str(a) for a in host.get_transport_addrs()]
        port = int(host.get_transport_addrs()[0].value_for_protocol("tcp"))

        def handler(info: Any) -> None:  # zeroconf's thread
            peer = info.peer_id.to_base58()
            full = [f"{a}/p2p/{peer}" if "/p2p/" not in str(a) else str(a) for a in info.addrs]
            try:
                assert self._token is not None
                self._token.run_sync_soon(self._on_peer, peer, full)
            except trio.RunFinishedError:
                pass

        def start_blocking() -> Any:
            mdns = _Discovery(host, port, addrs)
            mdns.broadcaster.register()
            return mdns

        self._handler = handler
        peerDiscovery.register_peer_discovered_handler(handler)
        self._mdns = await trio.to_thread.run_sync(start_blocking, abandon_on_cancel=True)  # type: ignore[call-arg]

    async def stop(self) -> None:
        from libp2p.discovery.events.peerDiscovery import peerDiscovery

        if self._handler is not None:
            peerDiscovery.unregister_peer_discovered_handler(self._handler)
            self._handler = None
        mdns, self._mdns = self._mdns, None
        if mdns is None:
            return

        def stop_blocking() -> None:
            try:
                mdns.broadcaster.unregister()
                mdns.listener.stop()
                mdns.zeroconf.close()
            except Exception:
                log.exception("stopping mDNS")

        # Closing zeroconf blocks ~250 ms; never let it hold up shutdown.
        with trio.move_on_after(0.5):
            await trio.to_thread.run_sync(stop_blocking, abandon_on_cancel=True)  # type: ignore[call-arg]


def mdns_interfaces(listen_addrs: list[str]) -> Any:
    """Loopback only when every listen address is loopback, else every interface."""
    from zeroconf import InterfaceChoice

    if listen_addrs and all(a.startswith("/ip4/127.") for a in listen_addrs):
        return ["127.0.0.1"]
    return InterfaceChoice.All


class _Discovery:
    """What upstream's MDNSDiscovery holds (zeroconf, broadcaster, listener), minus
    its Zeroconf() on all interfaces and its unused cleanup task. Blocking: a thread's."""

    def __init__(self, host: Any, port: int, addrs: list[str]) -> None:
        from libp2p.discovery.mdns.broadcaster import PeerBroadcaster
        from libp2p.discovery.mdns.listener import PeerListener
        from libp2p.discovery.mdns.mdns import SERVICE_TYPE
        from libp2p.discovery.mdns.utils import stringGen
        from zeroconf import Zeroconf

        self.zeroconf = Zeroconf(interfaces=mdns_interfaces(addrs))
        name = f"{stringGen(63)}.{SERVICE_TYPE}"
        peer = str(host.get_id())
        self.broadcaster = PeerBroadcaster(
            zeroconf=self.zeroconf,
            service_type=SERVICE_TYPE,
            service_name=name,
            peer_id=peer,
            port=port,
            listen_addrs=addrs,
            host=host,
        )
        self.listener = PeerListener(
            zeroconf=self.zeroconf,
            peerstore=host.get_peerstore(),
            service_type=SERVICE_TYPE,
            service_name=name,
        )
