"""The app's node judges records at its door too (issue 16 §5), without blocking the loop.

`serve` gives its node the member's ledger as judge (tests/net/test_hostile_ledger.py
drives that with a hostile peer). In the app the ledger lives on the service's
worker thread, so `NodeAPI._judge` only tries the worker's lock: free, it gives the
ledger's verdict; busy, a profile, offer or vouch goes in unjudged and anything
else waits at the door for the worker.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING

from signers import DAY, T0, get_member

from p2pshare.domain.ledger_part import PENDING
from p2pshare.member import identity as ident
from p2pshare.member.home import Home
from p2pshare.service.api import NodeAPI
from p2pshare.store import Store

if TYPE_CHECKING:
    from pathlib import Path

NOW = T0 + DAY


def test_the_apps_judge_refuses_what_the_ledger_refuses_and_never_waits_on_the_worker(
    tmp_path: Path,
) -> None:
    alice, bob, mallory = get_member("alice"), get_member("bob"), get_member("mallory")
    offer = alice.offer(title="a desk in Porto")
    accept = bob.accept(offer, at=T0 + 1)
    forged = mallory.handoff(accept, at=T0 + 2)  # mallory is not the offer's author
    handoff = alice.handoff(accept, at=T0 + 3)
    home = Home(tmp_path / "me")
    ident.create(home)
    with Store.open(home.store_file) as store:
        store.ingest_many([offer.data, accept.data], now=NOW)

    async def main() -> None:
        api = NodeAPI(home, clock=lambda: NOW)
        await api.open()
        try:
            await api._changes.settled()
            assert api._judge(handoff) is None
            assert "author" in (api._judge(forged) or "")

            busy, release = threading.Event(), threading.Event()

            def hold() -> None:  # the worker in the middle of something long
                busy.set()
                release.wait(10)

            holding = asyncio.ensure_future(api._run(hold))
            await asyncio.to_thread(busy.wait, 10)
            waited = api._judge(handoff)
            assert waited is not None
            assert waited.startswith(PENDING)  # not refused: judged when the worker is done
            assert api._judge(alice.offer(title="a bike", at=T0 + 5)) is None
            release.set()
            await holding
            assert api._judge(handoff) is None
        finally:
            await api.close()

    asyncio.run(main())
