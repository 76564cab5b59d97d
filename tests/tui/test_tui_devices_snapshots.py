"""Snapshots of a member's devices in the app (issue 15), over the in-memory node: the
Profile's Devices section (this device, the root, an unlinked tablet dimmed with its
reason), the Add a device dialog with its code at 80x24, the Revoke dialog showing
the node's refusal, and the Peers list with a member of two devices.
Update with `pytest tests/tui/test_tui_devices_snapshots.py --snapshot-update` after
looking at the new SVGs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from test_tui_devices import node_with_a_lost_tablet, on_profile
from textual.widgets import Static
from tui_helpers import SIZE, fake_app, feed_ready, wait_for

from tui.screens.devices import DeviceList
from tui.screens.devices_pairing import PairingScreen
from tui.screens.devices_revoke import RevokeDeviceScreen
from tui.screens.peers import PeersScreen

if TYPE_CHECKING:
    from fake_node import FakeNode
    from test_tui_snapshots import SnapCompare
    from textual.pilot import Pilot


def online_node() -> FakeNode:
    node = node_with_a_lost_tablet()
    node.add_peer(
        "Bob",
        trust=0.6,
        skills=("design",),
        headline="Brand designer",
        devices=["12D3KooWbob", "12D3KooWbobphone"],
    )
    node.add_peer("Carol", trust=0.3, skills=("legal",), headline="Contracts lawyer")
    return node


async def online(pilot: Pilot[None], node: FakeNode) -> None:
    await wait_for(pilot, lambda: node.status.state == "online")


def test_profile_with_devices(snap_compare: SnapCompare) -> None:
    node = online_node()

    async def run_before(pilot: Pilot[None]) -> None:
        await online(pilot, node)
        screen = await on_profile(pilot)
        await wait_for(pilot, lambda: bool(screen.stats))
        await pilot.pause()

    app = fake_app(node, start_network=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_add_a_device_at_80x24(snap_compare: SnapCompare) -> None:
    node = online_node()

    async def run_before(pilot: Pilot[None]) -> None:
        await online(pilot, node)
        await on_profile(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, PairingScreen))
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, PairingScreen)
        await wait_for(pilot, lambda: screen.pairing is not None)
        await pilot.pause()

    app = fake_app(node, start_network=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_revoke_refused_by_the_node(snap_compare: SnapCompare) -> None:
    node = online_node()

    async def run_before(pilot: Pilot[None]) -> None:
        await online(pilot, node)
        screen = await on_profile(pilot)
        devices = screen.query_one(DeviceList)
        devices.focus()
        await pilot.press("down")
        await wait_for(
            pilot, lambda: devices.current is not None and devices.current.label == "phone"
        )
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RevokeDeviceScreen))
        node.refuse("revoke_device", "the last device that can still sign: pair another first")
        await pilot.press(*"stolen", "enter")
        error = pilot.app.screen.query_one("#revoke-error", Static)
        await wait_for(pilot, lambda: "pair another" in str(error.render()))
        await pilot.pause()

    app = fake_app(node, start_network=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_peers_with_a_member_of_two_devices(snap_compare: SnapCompare) -> None:
    node = online_node()

    async def run_before(pilot: Pilot[None]) -> None:
        await online(pilot, node)
        await feed_ready(pilot)
        await pilot.press("3")
        await wait_for(
            pilot, lambda: isinstance(pilot.app.screen, PeersScreen) and pilot.app.screen.peers
        )
        await pilot.pause()

    app = fake_app(node, start_network=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
