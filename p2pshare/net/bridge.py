"""The one bridge between asyncio (Textual) and trio (py-libp2p): trio in guest mode.

`trio.lowlevel.start_guest_run` runs trio on the asyncio loop's thread, with
trio's I/O polling in a helper thread: no second event-loop thread, no locks.
One pattern, four operations::

    bridge = TrioBridge()                      # inside a running asyncio loop
    info = await bridge.start(node.run)        # node.run(task_status=...) reports started(info)
    result = await bridge.call(node.dial, addr, timeout=10)   # a trio task, awaited here
    bridge.call_sync(node.kick)                # fire and forget, sync, on the trio side
    event = await bridge.events.get()          # what the node emit()s, in order
    await bridge.stop(timeout=1.0)             # cancel trio and wait for it

Only one trio run may exist per thread, so one bridge per loop. A start error
(the node's own exception, unwrapped from trio's exception groups) reaches the
caller of start(); a crash after start arrives as a NodeFailed event.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import TYPE_CHECKING, Any

import outcome
import trio

from p2pshare.events import NodeFailed

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def unwrap(exc: BaseException) -> BaseException:
    """The one real error inside nested single-member exception groups."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


class TrioBridge:
    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.loop = loop or asyncio.get_running_loop()
        self.events: asyncio.Queue[Any] = asyncio.Queue()
        self._token: trio.lowlevel.TrioToken | None = None
        self._nursery: trio.Nursery | None = None
        self._started: asyncio.Future[Any] = self.loop.create_future()
        self._done: asyncio.Future[outcome.Outcome[None]] = self.loop.create_future()
        self._launched = False

    # -- lifecycle -------------------------------------------------------------

    async def start(
        self,
        node_main: Callable[..., Awaitable[Any]],
        *,
        timeout: float = 15.0,  # noqa: ASYNC109  (asyncio side: bounds a wait on trio)
    ) -> Any:
        """Run `node_main(task_status=...)` in trio; return what it passes to started()."""
        if self._launched:
            raise RuntimeError("a TrioBridge starts once")
        self._launched = True
        trio.lowlevel.start_guest_run(
            self._trio_main,
            node_main,
            run_sync_soon_threadsafe=self.loop.call_soon_threadsafe,  # type: ignore[arg-type]
            run_sync_soon_not_threadsafe=self.loop.call_soon,  # type: ignore[arg-type]
            done_callback=self._on_done,
            host_uses_signal_set_wakeup_fd=True,  # asyncio owns the wakeup fd
        )
        try:
            return await asyncio.wait_for(asyncio.shield(self._started), timeout)
        except BaseException:
            await self.stop()
            raise

    async def _trio_main(self, node_main: Callable[..., Awaitable[Any]]) -> None:
        self._token = trio.lowlevel.current_trio_token()
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            try:
                value = await nursery.start(node_main)
            except BaseException as exc:
                if not self._started.done():
                    self._started.set_exception(unwrap(exc))
                return
            if not self._started.done():
                self._started.set_result(value)

    def _on_done(self, result: outcome.Outcome[None]) -> None:
        """Called on the asyncio thread when the trio run has finished."""
        if not self._done.done():
            self._done.set_result(result)
        error = result.error if isinstance(result, outcome.Error) else None
        if not self._started.done():
            self._started.set_exception(
                unwrap(error) if error is not None else RuntimeError("the node exited early")
            )
        elif error is not None:
            real = unwrap(error)
            if not isinstance(real, trio.Cancelled | KeyboardInterrupt):
                log.error("the node stopped with an error", exc_info=real)
                self.events.put_nowait(NodeFailed(reason=f"the node stopped: {real}"))

    async def stop(self, timeout: float = 1.0) -> bool:  # noqa: ASYNC109  (asyncio side)
        """Cancel the trio side and wait for it; True if it finished within `timeout`."""
        if not self._launched or self._done.done():
            return True
        if self._token is not None:
            try:
                self._token.run_sync_soon(self._cancel_all)
            except trio.RunFinishedError:
                return True
        try:
            await asyncio.wait_for(asyncio.shield(self._done), timeout)
            return True
        except TimeoutError:
            log.warning("the node did not stop within %.1f s", timeout)
            return False

    def _cancel_all(self) -> None:
        if self._nursery is not None:
            self._nursery.cancel_scope.cancel()

    @property
    def running(self) -> bool:
        return self._token is not None and not self._done.done()

    # -- asyncio -> trio ---------------------------------------------------------

    async def call(
        self,
        async_fn: Callable[..., Awaitable[Any]],
        *args: Any,
        timeout: float | None = None,  # noqa: ASYNC109  (asyncio side: bounds a wait on trio)
    ) -> Any:
        """Run `async_fn(*args)` as a trio task; its result or exception comes back here.

        Cancelling the awaiting asyncio task (or the timeout) cancels the trio task.
        """
        if not self.running or self._token is None:
            raise RuntimeError("the node is not running")
        token = self._token
        fut: asyncio.Future[Any] = self.loop.create_future()
        scope = trio.CancelScope()

        async def runner() -> None:
            with scope:
                res = await outcome.acapture(async_fn, *args)
            if fut.done():
                return
            if scope.cancelled_caught:
                fut.cancel()
            elif isinstance(res, outcome.Error):
                fut.set_exception(unwrap(res.error))
            else:
                fut.set_result(res.value)

        def spawn() -> None:
            if self._nursery is None:
                if not fut.done():
                    fut.set_exception(RuntimeError("the node is not running"))
            else:
                self._nursery.start_soon(runner)

        def on_done(f: asyncio.Future[Any]) -> None:
            if f.cancelled() and self.running:
                with contextlib.suppress(trio.RunFinishedError):
                    token.run_sync_soon(scope.cancel)

        fut.add_done_callback(on_done)
        token.run_sync_soon(spawn)
        if timeout is None:
            return await fut
        return await asyncio.wait_for(fut, timeout)

    def call_sync(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run a quick synchronous `fn(*args)` on the trio side, fire and forget."""
        if self._token is None:
            raise RuntimeError("the node is not running")
        with contextlib.suppress(trio.RunFinishedError):
            self._token.run_sync_soon(functools.partial(fn, *args))

    # -- trio -> asyncio -----------------------------------------------------------

    def emit(self, event: Any) -> None:
        """From trio: queue an event for asyncio. Never blocks; thread-safe."""
        self.loop.call_soon_threadsafe(self.events.put_nowait, event)
