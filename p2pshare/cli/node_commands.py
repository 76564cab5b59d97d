"""`id`, `invite` and `serve`: this member's node.

`serve` runs the node headless until SIGINT or SIGTERM; a running node (serve or
the app) writes its addresses, invite and connections to the home's node.json,
which `id`, `invite` and `peers` read, but only while the node still holds the
home's lock: a file left by a node that died says nothing. The network stack is
imported only by `serve`.
"""

from __future__ import annotations

import json
import signal
import sys
from typing import TYPE_CHECKING, Any

from p2pshare.cli.member_access import open_member
from p2pshare.cli.printing import out, print_json
from p2pshare.errors import UserError
from p2pshare.member.home import setup_logging

if TYPE_CHECKING:
    import argparse

    from p2pshare.member.home import Home


def running_node_info(home: Home) -> dict[str, Any]:
    """Addresses and invite written by a running node on this home, if any."""
    from p2pshare.store import NodeLock

    try:
        info = json.loads(home.node_file.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not NodeLock(home.lock_file).held():
        return {}
    return info if isinstance(info, dict) else {}


def cmd_id(home: Home, args: argparse.Namespace) -> int:
    from p2pshare.member.devices import load_membership

    member = open_member(home)
    profile = member.profile()
    info = running_node_info(home)
    membership = load_membership(home, member.identity, member.store)
    data = {
        "id": member.identity.member_id,
        "name": profile.name if profile else "",
        "addresses": info.get("addresses", []),
        "invite": info.get("invite", ""),
        "running": bool(info),
        # dialable from outside (dial-back by peers, net/reach.py); unknown when not running
        "reachability": info.get("reachability", "unknown"),
        "relays": info.get("relays", []),  # relays holding a reservation for this node
        "relaying": bool(info.get("relaying", False)),  # serve --relay
        # issue 15: the member this home signs for, and this device's key (the node's
        # peer id, which `id` is too); the same for a home that holds the member's root
        "member": membership.member_id,
        "device": membership.device_id,
    }
    if args.json:
        print_json(data)
    else:
        out(data["id"])
        out(f"name: {data['name']}")
        for addr in data["addresses"]:
            out(f"address: {addr}")
        if data["running"]:
            out(f"reachability: {data['reachability']}")
        if data["member"] != data["id"]:  # a paired device: the member it signs for
            out(f"member: {data['member']}")
        out(f"invite: {data['invite']}" if data["invite"] else "no node running on this home")
    return 0


def cmd_invite(home: Home, args: argparse.Namespace) -> int:
    info = running_node_info(home)
    if not info.get("invite"):
        raise UserError("no node is running on this home: start `p2pshare serve` or the app")
    out(info["invite"])
    return 0


def cmd_serve(home: Home, args: argparse.Namespace) -> int:
    """Run the node headless until SIGINT/SIGTERM; addresses and invite on stdout once."""
    from p2pshare.member.devices import load_membership

    member = open_member(home)  # kept open: the ledger's judge at the node's door
    identity = member.identity
    import trio

    from p2pshare.net.bridge import unwrap
    from p2pshare.net.node import Node, NodeConfig  # imports libp2p, which resets its logging

    setup_logging(home)  # so apply ours again, after that import
    config = NodeConfig(
        listen=tuple(args.listen),
        peers=tuple(args.peer),
        mdns=not args.no_mdns,
        # a paired device joins its member's community unless told otherwise
        community=args.community or load_membership(home, identity).community,
        relay=args.relay,
    )
    node = Node(home, identity, config)
    node.judge = member.judge  # what the ledger refuses is refused at the door (issue 16 §5)

    async def serve() -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with trio.open_nursery() as nursery:
                info = await nursery.start(node.run)
                out(f"member {info.member_id}")
                for addr in info.addresses:
                    out(f"listening {addr}")
                out(f"invite {info.invite}")
                sys.stdout.flush()
                async for _ in signals:
                    break
                nursery.cancel_scope.cancel()

    try:
        trio.run(serve)
    except BaseException as exc:
        raise unwrap(exc) from None
    finally:
        member.close()
    return 0
