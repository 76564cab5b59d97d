"""The node's settings, one frozen record: what `p2pshare serve` flags and the app set.

Kept apart from node.py so the settings read as one list, with the module that
owns each budget named next to it; defaults are those of a member's laptop.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from p2pshare.net.connections import ConnectionLimits
from p2pshare.net.door import DoorLimits
from p2pshare.net.send_budget import SendLimits


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeConfig:
    listen: tuple[str, ...] = ()  # multiaddrs; default: config.toml's (home.ensure_listen)
    peers: tuple[str, ...] = ()  # multiaddrs with /p2p/ or invites, dialed at start
    mdns: bool = True
    community: str | None = None  # None: gossip.DEFAULT_COMMUNITY
    max_peers: int = 8  # connections the node dials up to (inbound ones are accepted)
    # Inbound caps per IP and subnet, handshake rates, trimming (connections.py)
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)
    sync_interval: float = 30.0  # periodic catch-up with one random peer, +-20 % jitter
    sync_on_connect: bool = True
    gossip_rate: float = 50.0  # records/s accepted per peer over gossip
    gossip_burst: float = 200.0
    block_seconds: float = 600.0  # how long a misbehaving peer stays blocked
    max_skew: int = 600  # seconds a record may be dated ahead and be live (later: held)
    # The door's other budgets (door.py; gossip_rate/burst are its strangers' per-peer
    # budget, max_skew its max_skew) and what sync sessions may send (send_budget.py)
    door: DoorLimits = field(default_factory=DoorLimits)
    send: SendLimits = field(default_factory=SendLimits)
    write_node_file: bool = True
    relay: bool = False  # also relay for members behind NAT (serve --relay; relay.py)
    # Listen for writes to the store by other processes (a CLI command) and
    # publish them at once. The app listens itself and kicks the node instead.
    doorbell: bool = True
