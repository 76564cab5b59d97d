"""How the node's long-lived services start and stop beside its own tasks.

The host (its swarm and every connection) and pubsub run under a shield until
the node is done, then close at once with mDNS; mDNS starts last and may fail
without taking the node down. Each of these works around an upstream
py-libp2p 0.8.1 behaviour, named where it is handled.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import trio
from libp2p.tools.anyio_service import background_trio_service

from p2pshare.errors import UserError
from p2pshare.net.connections import close_all

if TYPE_CHECKING:
    from p2pshare.net.discovery import Mdns

log = logging.getLogger(__name__)


async def serve_host(
    host: Any, pubsub: Any, router: Any, listen: list[Any], *, task_status: Any
) -> None:
    """Run the host (its swarm, every connection) and pubsub under a shield until
    the node is done; started with the shield's scope, which the node cancels.

    Upstream: the swarm's connection tasks live inside host.run(); when the
    node's scope is cancelled they are cancelled too, and SwarmConn.close()
    dies at its first await: the socket is never closed and the remote keeps
    a dead connection (found by test_discovery's restart test, in-process).
    Shielded, the connections are still there when the node's `finally` calls
    host.close(), which closes them properly; then it cancels this scope.
    Pubsub lives here too: its stream readers run in the connections' tasks and
    must find its service alive until the connections are closed.
    """
    with trio.CancelScope(shield=True) as scope:
        async with host.run(listen):
            if not host.get_transport_addrs():
                # Upstream: a failed listen() is only logged and run() enters anyway.
                wanted = ", ".join(str(a) for a in listen)
                raise UserError(f"cannot listen on {wanted} (address in use?)")
            async with background_trio_service(pubsub), background_trio_service(router):
                task_status.started(scope)
                await trio.sleep_forever()


async def start_mdns(mdns: Mdns, host: Any) -> None:
    try:
        await mdns.start(host)
    except Exception as exc:  # no multicast here, port taken...: not fatal
        log.warning("mDNS is off: %s", exc)


async def close_connections(host: Any, mdns: Mdns | None) -> None:
    """Stop mDNS and close every connection, all at once (see close_all)."""
    async with trio.open_nursery() as closing:
        if mdns is not None:
            closing.start_soon(mdns.stop)
        closing.start_soon(close_all, host)
