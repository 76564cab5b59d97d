"""What the node says about itself: its addresses and invite, its links, node.json.

The node's `NodeInfo` starts from the host's direct addresses; a circuit address
joins it for each relay holding a reservation for us (traversal.py), and
leaves with it, so the invite always names a way in. Each change is passed on
(the dialer redials through a new relay, the peers hear our new addresses).
node.json in the home follows the node once a second: addresses,
reachability, how each peer is reached, refusals; `id --json` and
`peers --json` read it, and it is removed when the node stops.
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING, Any

import trio

from p2pshare.events import NodeInfo
from p2pshare.net import host as hostmod
from p2pshare.net.invite import make_invite

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from p2pshare.net.refusals import Refusals
    from p2pshare.net.traversal import Traversal


class NodeStatus:
    """The node's `info` (None until the host listens) and its node.json."""

    def __init__(
        self,
        host: Any,
        traversal: Traversal,
        refusals: Refusals,
        *,
        member_id: str,
        community: str,
        node_file: Path | None,  # None: not written
        on_relays: Callable[[list[str]], None],
        on_new_addresses: Callable[[], None],
    ) -> None:
        self._host = host
        self._traversal = traversal
        self._refusals = refusals
        self._member_id = member_id
        self._community = community
        self._node_file = node_file
        self._on_relays = on_relays  # the relays holding a reservation for us now
        self._on_new_addresses = on_new_addresses
        self.info: NodeInfo | None = None
        self._direct_addrs: tuple[str, ...] = ()
        self._node_file_data: dict[str, Any] = {}

    def listening(self) -> tuple[str, ...]:
        """The host listens: its direct addresses are the first `info`."""
        addresses = self._direct_addrs = tuple(hostmod.public_addrs(self._host))
        self.info = self._info(addresses)
        self.write_node_file()
        return addresses

    def addresses_changed(self) -> None:
        """A reservation came or went: new addresses, invite, and tell the peers."""
        if self.info is None:
            return
        self._on_relays(self._traversal.reservations.relays())
        addresses = self._direct_addrs + tuple(self._traversal.circuit_addrs())
        if addresses != self.info.addresses:
            self.info = self._info(addresses)
            self._on_new_addresses()

    def _info(self, addresses: tuple[str, ...]) -> NodeInfo:
        return NodeInfo(
            member_id=self._member_id,
            addresses=addresses,
            invite=make_invite(self._member_id, addresses, self._community),
            community=self._community,
        )

    def peer_links(self) -> dict[str, dict[str, Any]]:
        """Connected peers: how each is reached (`direct` or `relayed`) and the
        addresses of those connections."""
        links = {}
        for peer in self._host.get_connected_peers():
            links[peer.to_base58()] = {
                "connection": self._traversal.connection(peer),
                "addresses": self._traversal.connection_addrs(peer),
            }
        return links

    @property
    def reachability(self) -> str:
        return self._traversal.reach.verdict

    # -- node file ---------------------------------------------------------------------

    async def keep_node_file(self) -> None:
        """node.json follows the node: addresses, reachability, connections."""
        while True:
            self.addresses_changed()
            self.write_node_file()
            await trio.sleep(1.0)

    def write_node_file(self) -> None:
        if self._node_file is None or self.info is None:
            return
        data = {
            "id": self._member_id,
            "addresses": list(self.info.addresses),
            "invite": self.info.invite,
            "community": self._community,
            "pid": os.getpid(),
            **self._traversal.snapshot(),
            "peers": self.peer_links(),
            "refusals": self._refusals.snapshot(),  # per peer and reason, for `peers --json`
        }
        if data == self._node_file_data:
            return
        self._node_file_data = data
        tmp = self._node_file.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2), "utf-8")
        os.replace(tmp, self._node_file)


def remove_node_file(node_file: Path) -> None:
    """The node stopped: node.json no longer describes a running node."""
    with contextlib.suppress(OSError):
        node_file.unlink(missing_ok=True)
