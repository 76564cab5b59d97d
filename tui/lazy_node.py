"""A NodePort whose real node is built when it is opened, in a thread.

The real node's code (store, ledger, trust with numpy) takes longer to import
than Textual takes to paint its first frame. So `LocalHome.node()` hands the app
this at once, the app shows the feed with its loading state, and `open()` imports
and builds the real node in a worker thread, then opens it. Until it is built
this is an offline node with no member that queues its listeners; after, every
attribute is the real node's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from p2pshare.events import Event, NodeInfo
    from p2pshare.service.port import NodePort, NodeStatus


@dataclass(frozen=True, slots=True)
class NotBuilt:
    """The status of a node not built yet: offline, reaching nobody."""

    state: str = "offline"
    reason: str = ""
    info: NodeInfo | None = None
    connected: frozenset[str] = field(default_factory=frozenset)
    reachability: str = "unknown"
    syncing: frozenset[str] = field(default_factory=frozenset)


class LazyNode:
    """The node `build()` returns, built and opened by `open()`; NodePort throughout."""

    def __init__(self, build: Callable[[], NodePort]) -> None:
        self._build = build
        self._node: NodePort | None = None
        self._listeners: list[Callable[[Event], None]] = []

    @property
    def status(self) -> NodeStatus:
        return NotBuilt() if self._node is None else self._node.status

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        if self._node is None:
            self._listeners.append(listener)  # handed on when it is built
        else:
            self._node.subscribe(listener)

    async def open(self) -> None:
        """Build the node (its imports run in a thread, off the app's loop), then open it."""
        if self._node is None:
            node = await asyncio.to_thread(self._build)
            for listener in self._listeners:
                node.subscribe(listener)
            self._listeners.clear()
            self._node = node  # before opening: close() must reach it if opening fails
        await self._node.open()

    async def close(self) -> None:
        if self._node is not None:
            await self._node.close()

    def __getattr__(self, name: str) -> Any:
        """Everything else is the built node's (reads and actions need it open anyway)."""
        node = self.__dict__.get("_node")
        if node is None:
            raise AttributeError(f"{name}: the node is not open yet")
        return getattr(node, name)
