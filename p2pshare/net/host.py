"""The libp2p host: TCP, Noise only, Yamux only, keyed with the member's Ed25519 key.

Every py-libp2p 0.8.1 behaviour we work around for the host is configured here,
with the upstream behaviour named next to the setting (see the spike's
FINDINGS.md §2, §7, §8). Nothing here patches the installed package; the connection
manager (connections.py) replaces one method on our own swarm instance only.
"""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING, Any

import libp2p  # noqa: F401  (its import runs libp2p.utils.logging.setup_logging; see below)

# Upstream behaviour (FINDINGS §8): `import libp2p` clears the handlers of the
# "libp2p" logger and sets propagate=False, so WARNINGs end up on stderr through
# logging.lastResort, over the app's screen. Send them up to the root logger,
# which p2pshare.member.home.setup_logging points at the home's log file. This has to
# run after the import, hence here, in the module every network import goes through.
_libp2p_log = logging.getLogger("libp2p")
_libp2p_log.handlers.clear()
_libp2p_log.propagate = True
_libp2p_log.setLevel(logging.WARNING)
# libp2p.network.auto_connector sets its own logger to INFO at import time.
logging.getLogger("libp2p.network.auto_connector").setLevel(logging.WARNING)

import multiaddr  # noqa: E402
from libp2p import new_host  # noqa: E402
from libp2p.crypto.ed25519 import create_new_key_pair  # noqa: E402
from libp2p.crypto.x25519 import create_new_key_pair as create_x25519  # noqa: E402
from libp2p.custom_types import TProtocol  # noqa: E402
from libp2p.network.config import ConnectionConfig, RetryConfig  # noqa: E402
from libp2p.security.noise.transport import PROTOCOL_ID as NOISE_PROTOCOL_ID  # noqa: E402
from libp2p.security.noise.transport import Transport as NoiseTransport  # noqa: E402
from libp2p.stream_muxer.yamux.yamux import PROTOCOL_ID as YAMUX_PROTOCOL_ID  # noqa: E402
from libp2p.stream_muxer.yamux.yamux import Yamux  # noqa: E402
from libp2p.transport.tcp.tcp import TCP  # noqa: E402

from p2pshare.errors import UserError  # noqa: E402
from p2pshare.net.connections import ConnectionLimits, ConnectionManager  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from libp2p.abc import IHost
    from libp2p.crypto.keys import KeyPair

DEFAULT_LISTEN = "/ip4/0.0.0.0/tcp/0"
NEGOTIATE_TIMEOUT = 5  # seconds for multistream/Noise negotiation (upstream default 30)


def keypair_of(signing_key: Ed25519PrivateKey) -> KeyPair:
    """The libp2p key pair of the member's key: the peer id *is* the member id.

    The raw Ed25519 private key is libp2p's 32-byte seed (FINDINGS §1).
    """
    return create_new_key_pair(signing_key.private_bytes_raw())


def make_host(key_pair: KeyPair, *, mdns: bool = False) -> IHost:
    """A host that speaks only TCP + Noise + Yamux, tuned to dial fast and not redial."""
    host = new_host(
        key_pair=key_pair,
        # Upstream default (sec_opt=None) also offers TLS, SECIO and /plaintext/2.0.0:
        # pass Noise alone so an unauthenticated, unencrypted peer cannot connect.
        sec_opt={
            TProtocol(NOISE_PROTOCOL_ID): NoiseTransport(
                key_pair, noise_privkey=create_x25519().private_key
            )
        },
        # Upstream default also offers Mplex; Yamux alone.
        muxer_opt={TProtocol(YAMUX_PROTOCOL_ID): Yamux},
        # An explicit list: no QUIC/WebSocket auto-detection from the listen addrs.
        transports=[TCP()],
        # mDNS creates Zeroconf() here and registers synchronously inside run()
        # (~1.6 s frozen loop, FINDINGS §9): discovery.py runs its own, in a thread.
        enable_mDNS=False,
        negotiate_timeout=NEGOTIATE_TIMEOUT,
        connection_config=ConnectionConfig(
            # Swarm.dial_peer waits _HAPPY_EYEBALLS_DELAY (250 ms) after every dial
            # unless max_connections_per_peer connections exist already (default 3).
            max_connections_per_peer=1,
            # The auto-connector redials every peerstore entry every 10 s while below
            # min_connections (default 50); discovery.py decides whom to dial.
            min_connections=0,
            low_watermark=0,
        ),
    )
    # new_host() does not forward retry_config to the swarm: the default 3 retries
    # with backoff make a failed dial take ~0.7 s. discovery.py has its own backoff.
    host.get_network().retry_config = RetryConfig(max_retries=0)  # type: ignore[attr-defined]
    return host


def manage_connections(
    host: IHost, limits: ConnectionLimits, protected: Callable[[str], bool]
) -> ConnectionManager:
    """Put the connection manager on the host, before it listens; run its `run()`.

    Upstream (py-libp2p 0.8.1) keeps each inbound connection's slot until the whole
    swarm stops (`Swarm._do_handle_inbound_connection` waits on
    `manager.wait_finished()`), so ~300 inbound connections lock a node for good:
    the manager replaces that method on this host's swarm instance with one that
    frees the slot when the connection closes (connections.py), and adds per-IP and
    per-subnet caps, handshake rate limits and trimming (`protected` peers are kept).
    """
    manager = ConnectionManager(host, limits, protected=protected)
    manager.install()
    return manager


def unblock(host: IHost, peer_id: Any) -> None:
    """Lift the swarm's 60 s negative cache for a peer whose dial failed (FINDINGS §2)."""
    network: Any = host.get_network()
    if hasattr(network, "unblock_peer"):
        network.unblock_peer(peer_id)


def listen_addrs(listen: Sequence[str]) -> list[multiaddr.Multiaddr]:
    return [multiaddr.Multiaddr(a) for a in (listen or (DEFAULT_LISTEN,))]


def check_port_free(addrs: Sequence[multiaddr.Multiaddr]) -> None:
    """UserError if another process already listens on one of these TCP ports.

    Upstream (transport/tcp/tcp.py `_set_reuse_flags`, for hole punching) listens
    with SO_REUSEPORT, so a second node on the same port binds without error and
    the kernel silently splits incoming connections between the two. A probe
    bind without SO_REUSEPORT (SO_REUSEADDR only, so TIME_WAIT leftovers of our
    own last run do not count) fails when anyone listens there: one node per port.
    """
    for addr in addrs:
        try:
            ip, port = addr.value_for_protocol("ip4"), int(addr.value_for_protocol("tcp"))
        except Exception:
            continue  # not /ip4/.../tcp/...: left to the transport
        if not port:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((str(ip), port))
            except OSError as exc:
                raise UserError(
                    f"cannot listen on {addr}: {exc.strerror or exc} (another node on this "
                    "port? give --listen, or change the listen port in the home's config.toml)"
                ) from None


def public_addrs(host: IHost) -> list[str]:
    """Full multiaddrs (with /p2p/<id>) others can dial; 0.0.0.0 expanded to real IPs."""
    peer = host.get_id().to_base58()
    out: list[str] = []
    for addr in host.get_transport_addrs():
        text = str(addr)
        if text.startswith("/ip4/0.0.0.0/"):
            rest = text[len("/ip4/0.0.0.0/") :]
            out.extend(f"/ip4/{ip}/{rest}/p2p/{peer}" for ip in local_ipv4())
        else:
            out.append(f"{text}/p2p/{peer}")
    return list(dict.fromkeys(out))


def local_ipv4() -> list[str]:
    """This machine's IPv4 addresses, loopback first (no extra dependency)."""
    ips = ["127.0.0.1"]
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            ip = str(info[4][0])
            if not ip.startswith("127."):
                ips.append(ip)
    except OSError:
        pass
    return list(dict.fromkeys(ips))
