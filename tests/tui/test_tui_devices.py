"""A member's devices in the app (issue 15), against the in-memory node: the Profile
lists them (this one marked, the root, the unlinked dimmed with their reason), "a"
adds one with a code that closes its dialog when the device joins (whichever
screen is shown) or says it expired or was used up by a failed pairing (a toast
when no dialog shows a code), "x" revokes the highlighted one after a
confirmation that checks its date and shows the node's refusal; the Peers list
has one row per member with its device count, and a peer's page lists the
device ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fake_home import FakeHome
from fake_node import FakeNode
from fake_world import DAY, ME, NOON, PHONE, T0
from textual.widgets import Button, DataTable, Input, Static, Switch
from tui_helpers import drive, fake_app, feed_ready, shown_text, wait_for

from p2pshare.domain.device_views import Pairing
from protocol import Device, PublicKey
from protocol.consent import DEVICE_CONSENT, sign_consent
from tui.app import P2PShareApp
from tui.screens.devices import DeviceList
from tui.screens.devices_pairing import PairingScreen, join_command
from tui.screens.devices_revoke import RevokeDeviceScreen
from tui.screens.peer import PeerScreen
from tui.screens.peers import PeersScreen
from tui.screens.profile import ProfileScreen

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from tui_helpers import World

TABLET = "12D3KooWtablet"


def node_with_a_lost_tablet() -> FakeNode:
    """Me on my laptop (the root), my phone, and a tablet unlinked since it was lost."""
    node = FakeNode()
    node.my_devices.append(
        replace(
            node.my_devices[1],
            device_id=TABLET,
            label="tablet",
            linked_at=NOON - 60 * DAY,
            unlinked_from=NOON - 2 * DAY,
            reason="lost on a train",
        )
    )
    return node


async def on_profile(pilot: Pilot[None]) -> ProfileScreen:
    app = pilot.app
    await feed_ready(pilot)
    await pilot.press("4")
    await wait_for(
        pilot, lambda: isinstance(app.screen, ProfileScreen) and app.screen.devices_loaded
    )
    assert isinstance(app.screen, ProfileScreen)
    return app.screen


def device_lines(screen: ProfileScreen) -> list[str]:
    return [ln.strip() for ln in shown_text(screen.query_one(DeviceList)).split("\n") if ln.strip()]


def toasts(app: P2PShareApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def text_of(static: Static) -> str:
    """A Static's text as set (markup resolved), whatever its border and padding."""
    return str(static.render())


def local(text: str) -> int:
    return int(dt.datetime.strptime(text, "%Y-%m-%d").timestamp())


def test_the_profile_lists_this_device_first_the_root_and_the_unlinked_dimmed() -> None:
    app = fake_app(node_with_a_lost_tablet())

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await on_profile(pilot)
        assert device_lines(screen) == [
            "● laptop · this device · root",
            "12D3KooWme  linked 2023-08-16",
            "tablet · unlinked from 2023-11-12: lost on a train",
            "12D3KooWtablet  linked 2023-09-15",
            "phone",
            "12D3KooWphone  linked 2023-10-15",
        ]  # this device first, then by the date each was linked
        devices = screen.query_one(DeviceList)
        assert [devices.get_option_at_index(i).disabled for i in range(3)] == [False, True, False]
        assert not screen.query_one("#devices-note").display  # the root may add and revoke

    drive(app, scenario)


def test_a_device_that_may_not_manage_says_so() -> None:
    node = FakeNode()
    node.my_devices[0] = replace(node.my_devices[0], root=False, manage=False)
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: node.status.state == "online")
        screen = await on_profile(pilot)
        note = screen.query_one("#devices-note", Static)
        assert note.display
        assert "may not add or revoke" in text_of(note)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))
        await pilot.press("enter")  # Get a code: the node refuses, the dialog says why
        error = app.screen.query_one("#pair-error", Static)
        await wait_for(pilot, lambda: "may not add devices" in shown_text(error))
        assert isinstance(app.screen, PairingScreen)
        assert app.screen.query_one("#pair-offer").has_class("-hidden")

    drive(app, scenario)


def test_offline_there_is_no_code_and_the_dialog_says_why() -> None:
    node = FakeNode()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await on_profile(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))
        await pilot.press("enter")
        error = app.screen.query_one("#pair-error", Static)
        await wait_for(pilot, lambda: "the node is not running" in text_of(error))
        assert not app.screen.query_one("#pair-ok").disabled  # once online, try again

    drive(app, scenario)


def test_add_a_device_shows_the_code_the_command_and_the_time_then_closes_when_it_joins() -> None:
    node = FakeNode()
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: node.status.state == "online")
        screen = await on_profile(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))
        dialog = app.screen
        assert isinstance(dialog, PairingScreen)
        await pilot.press("enter")  # "Get a code" has the focus
        await wait_for(pilot, lambda: dialog.pairing is not None)
        assert node.calls_to("start_pairing") == [{"manage": False}]
        code = text_of(dialog.query_one("#pair-code", Static))
        assert "1-arctic-velvet-harbor" in code
        command = " ".join(text_of(dialog.query_one("#pair-command", Static)).split())
        assert command == (
            f"p2pshare init --join 1-arctic-velvet-harbor --peer /ip4/127.0.0.1/tcp/4001/p2p/{ME}"
        )
        assert "10:00 left" in text_of(dialog.query_one("#pair-left", Static))
        await pilot.press("c")
        assert app.clipboard == command
        node.complete_pairing("desktop")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(
            pilot, lambda: any("“desktop” is one of your devices now" in t for t in toasts(app))
        )
        await wait_for(pilot, lambda: "desktop" in " ".join(device_lines(screen)))
        assert device_lines(screen)[-2:] == ["desktop", "12D3KooWdesktop  linked 2023-11-14"]

    drive(app, scenario)


def test_a_device_may_be_allowed_to_manage_and_joins_after_the_dialog_closed() -> None:
    node = FakeNode()
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: node.status.state == "online")
        screen = await on_profile(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))
        dialog = app.screen
        dialog.query_one("#pair-manage", Switch).value = True
        dialog.query_one("#pair-ok").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: node.pairing is not None)
        assert node.calls_to("start_pairing") == [{"manage": True}]
        await pilot.press("escape")  # the node still pairs in the background
        await wait_for(pilot, lambda: app.screen is screen)
        node.complete_pairing("desktop")
        await wait_for(pilot, lambda: "desktop · manages devices" in device_lines(screen))
        await wait_for(pilot, lambda: any("desktop" in t for t in toasts(app)))

    drive(app, scenario)


def test_a_code_that_expired_says_so_and_a_new_one_can_be_asked() -> None:
    node = FakeNode()
    now = [float(T0)]
    node.clock = lambda: now[0]
    app = P2PShareApp(FakeHome(node), start_network=True, clock=node.clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await wait_for(pilot, lambda: node.status.state == "online")
        await on_profile(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, PairingScreen))
        dialog = app.screen
        assert isinstance(dialog, PairingScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.pairing is not None)
        left = dialog.query_one("#pair-left", Static)
        now[0] = T0 + 61
        await wait_for(pilot, lambda: "8:59 left" in text_of(left))
        now[0] = T0 + 600
        await wait_for(pilot, lambda: "This code expired" in text_of(left))
        assert dialog.query_one("#pair-code").has_class("-expired")
        assert dialog.check_action("copy", ()) is False
        await pilot.press("enter")  # "New code" has the focus now
        await wait_for(pilot, lambda: len(node.calls_to("start_pairing")) == 2)
        await wait_for(pilot, lambda: not dialog.expired)
        assert "2-arctic-velvet-harbor" in text_of(dialog.query_one("#pair-code", Static))

    drive(app, scenario)


async def a_code_offered(pilot: Pilot[None], node: FakeNode) -> PairingScreen:
    """Once the node is online: on the Profile, "a", then a code (the dialog's first
    button)."""
    await wait_for(pilot, lambda: node.status.state == "online")
    await on_profile(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, PairingScreen))
    dialog = pilot.app.screen
    assert isinstance(dialog, PairingScreen)
    await pilot.press("enter")
    await wait_for(pilot, lambda: dialog.pairing is not None)
    return dialog


def test_a_failed_pairing_says_the_code_is_used_up_with_the_reason_and_offers_a_new_one() -> None:
    node = FakeNode()
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        dialog = await a_code_offered(pilot, node)
        left = dialog.query_one("#pair-left", Static)
        assert "10:00 left" in text_of(left)
        node.fail_pairing("a wrong code was typed")
        await wait_for(pilot, lambda: "This code is used up" in text_of(left))
        assert "a wrong code was typed" in text_of(left)
        assert "left" not in text_of(left)  # no count-down for a code that cannot pair
        assert dialog.query_one("#pair-code").has_class("-expired")
        assert dialog.check_action("copy", ()) is False
        assert app.screen is dialog
        assert not any("did not pair" in t for t in toasts(app))  # said once, in the dialog
        new_code = dialog.query_one("#pair-ok", Button)
        assert dialog.focused is new_code  # keys go to it from now on
        await pilot.press("enter")  # at once: the first code's press is over (see _code_over)
        await wait_for(pilot, lambda: len(node.calls_to("start_pairing")) == 2)
        await wait_for(
            pilot,
            lambda: "2-arctic-velvet-harbor" in text_of(dialog.query_one("#pair-code", Static)),
        )
        assert "10:00 left" in text_of(left)

    drive(app, scenario)


def test_a_pairing_that_fails_with_the_dialog_closed_is_a_toast_with_the_reason() -> None:
    node = FakeNode()
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await a_code_offered(pilot, node)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        node.fail_pairing("the [b]connection[/b] broke")  # the reason is shown, not markup
        await wait_for(pilot, lambda: any("did not pair" in t for t in toasts(app)))
        told = [t for t in toasts(app) if "did not pair" in t]
        assert told == ["A device did not pair: the \\[b]connection\\[/b] broke"]

    drive(app, scenario)


def test_another_codes_failure_leaves_the_dialogs_code_waiting_and_is_a_toast() -> None:
    """A second code of this home, offered from the command line, is used up by a wrong
    guess: the dialog's own code still pairs, so the dialog keeps counting down."""
    node = FakeNode()
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        dialog = await a_code_offered(pilot, node)
        left = dialog.query_one("#pair-left", Static)
        node.fail_pairing("a wrong code was typed", code="5-other-code")
        await wait_for(pilot, lambda: any("did not pair" in t for t in toasts(app)))
        assert dialog.waiting
        assert app.screen is dialog
        assert "left" in text_of(left)
        assert "used up" not in text_of(left)
        node.complete_pairing("desktop")  # its own code still pairs, and ends it
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))

    drive(app, scenario)


def test_a_device_that_joins_while_the_feed_is_shown_is_listed_and_said() -> None:
    node = FakeNode()
    app = fake_app(node, start_network=True)

    async def scenario(pilot: Pilot[None]) -> None:
        await a_code_offered(pilot, node)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        profile = app.screen
        assert isinstance(profile, ProfileScreen)
        await pilot.press("1")
        await wait_for(pilot, lambda: app.current_mode == "feed")
        node.complete_pairing("desktop")
        await wait_for(
            pilot, lambda: any("“desktop” is one of your devices now" in t for t in toasts(app))
        )
        listed = profile.query_one(DeviceList)
        await wait_for(pilot, lambda: "desktop" in [d.label for d in listed.devices])
        await pilot.press("4")  # back on the Profile, it is there
        await wait_for(pilot, lambda: "desktop" in " ".join(device_lines(profile)))

    drive(app, scenario)


async def revoke_dialog_for_the_phone(pilot: Pilot[None]) -> RevokeDeviceScreen:
    """Tab to the devices, down to the phone, x."""
    screen = await on_profile(pilot)
    devices = screen.query_one(DeviceList)
    await pilot.press("tab")
    await wait_for(pilot, lambda: devices.has_focus)
    await pilot.press("down")
    await wait_for(pilot, lambda: devices.current is not None and devices.current.label == "phone")
    await pilot.press("x")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RevokeDeviceScreen))
    dialog = pilot.app.screen
    assert isinstance(dialog, RevokeDeviceScreen)
    return dialog


def test_revoke_the_phone_with_a_reason_from_the_day_it_was_lost() -> None:
    node = FakeNode()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        dialog = await revoke_dialog_for_the_phone(pilot)
        assert text_of(dialog.query_one("#revoke-device", Static)) == PHONE
        await pilot.press(*"lost on a train", "tab", *"2023-11-10", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert node.calls_to("revoke_device") == [
            {"device_id": PHONE, "reason": "lost on a train", "since": local("2023-11-10")}
        ]
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        await wait_for(
            pilot,
            lambda: "phone · unlinked from 2023-11-10: lost on a train" in device_lines(screen),
        )
        await wait_for(pilot, lambda: any("“phone” unlinked" in t for t in toasts(app)))
        assert screen.query_one(DeviceList).get_option_at_index(1).disabled

    drive(app, scenario)


def test_revoke_checks_the_date_and_shows_the_nodes_refusal_in_the_dialog() -> None:
    node = FakeNode()
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        dialog = await revoke_dialog_for_the_phone(pilot)
        since = dialog.query_one("#revoke-since", Input)
        since_error = dialog.query_one("#revoke-since-error", Static)
        since.value = "last tuesday"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "a date as 2026-03-02" in shown_text(since_error))
        assert since.has_focus
        since.value = "2023-11-16"  # two days after the app's clock
        await pilot.press("enter")
        await wait_for(pilot, lambda: "a moment to come" in shown_text(since_error))
        assert node.calls_to("revoke_device") == []
        since.value = ""  # from now
        node.refuse("revoke_device", "the last device that can still sign")
        await pilot.press("enter")
        error = dialog.query_one("#revoke-error", Static)
        await wait_for(pilot, lambda: "the last device that can still sign" in shown_text(error))
        assert not since_error.display  # the date is fine now: its line is gone
        assert app.screen is dialog  # still open: the member reads why
        await pilot.press("enter")  # again, and this time the node agrees (from now)
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert node.calls_to("revoke_device") == [{"device_id": PHONE, "reason": "", "since": None}]

    drive(app, scenario)


def test_this_device_and_the_root_cannot_be_revoked_from_the_list() -> None:
    app = fake_app(node_with_a_lost_tablet())

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await on_profile(pilot)
        assert screen.query_one(DeviceList).current is not None
        assert screen.check_action("revoke_device", ()) is None  # dimmed in the footer
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen
        commands = {c.title for c in app.get_system_commands(screen)}
        assert {"Add device", "Revoke device"} <= commands

    drive(app, scenario)


def test_a_member_with_two_devices_is_one_peer_row_and_its_page_lists_them() -> None:
    node = FakeNode()
    bob = node.add_peer("Bob", trust=0.6, devices=["12D3KooWbob", "12D3KooWbobphone"])
    node.add_peer("Carol", trust=0.3)
    app = fake_app(node)

    async def scenario(pilot: Pilot[None]) -> None:
        await feed_ready(pilot)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, PeersScreen) and app.screen.peers)
        screen = app.screen
        assert isinstance(screen, PeersScreen)
        table = screen.query_one(DataTable)
        rows = {str(row.value): table.get_row(row) for row in table.rows}
        assert set(rows) == {bob, "12D3KooWcarol"}
        assert str(table.get_cell(bob, "marks")) == "2 devices"
        assert str(table.get_cell("12D3KooWcarol", "marks")) == ""
        table.move_cursor(row=table.get_row_index(bob))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PeerScreen) and app.screen.peer)
        profile = shown_text(app.screen.query_one("#peer-profile", Static))
        lines = [ln.strip() for ln in profile.split("\n")]
        assert lines[lines.index("devices    12D3KooWbob") + 1] == "12D3KooWbobphone"

    drive(app, scenario)


def test_the_command_names_the_address_a_new_machine_most_likely_reaches() -> None:
    peer = f"/p2p/{ME}"
    relayed = f"/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWrelay/p2p-circuit{peer}"
    addresses = (f"/ip4/127.0.0.1/tcp/4001{peer}", relayed, f"/ip4/192.168.1.20/tcp/4001{peer}")
    pairing = Pairing(code="7-arctic-velvet-harbor", addresses=addresses, expires_at=T0)
    assert join_command(pairing) == (
        f"p2pshare init --join 7-arctic-velvet-harbor --peer /ip4/192.168.1.20/tcp/4001{peer}"
    )
    assert join_command(replace(pairing, addresses=addresses[:2])).endswith(relayed)
    # no address: the new machine looks for this one through the community's peers
    assert join_command(replace(pairing, addresses=())) == (
        "p2pshare init --join 7-arctic-velvet-harbor"
    )


def test_over_the_real_node_the_root_stays_and_a_certified_tablet_is_revoked(
    world: World,
) -> None:
    """The app and NodeAPI agree: the home's own key is the root and this device, a device
    it certified is listed, and the dialog's unlink is a record the node then shows."""
    me = world.member("me")
    tablet_key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    tablet = PublicKey(tablet_key.public_key().public_bytes_raw())
    consent = sign_consent(DEVICE_CONSENT, bytes(me.member_key), key=tablet_key)
    me.commit(
        Device(member=me.member_key, device=tablet, label="tablet", manage=False, consent=consent)
    )
    app = world.app()

    async def scenario(pilot: Pilot[None]) -> None:
        screen = await on_profile(pilot)
        await wait_for(pilot, lambda: len(screen.query_one(DeviceList).devices) == 2)
        lines = device_lines(screen)
        assert lines[0] == "● root key · this device · root"
        assert lines[2] == "tablet"
        assert screen.check_action("revoke_device", ()) is None  # the root is rotated, not revoked
        devices = screen.query_one(DeviceList)
        devices.focus()
        await pilot.press("down")
        await wait_for(pilot, lambda: devices.current is not None and not devices.current.root)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, RevokeDeviceScreen))
        await pilot.press(*"sold it", "enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: "tablet · unlinked from" in " ".join(device_lines(screen)))
        assert device_lines(screen)[2].endswith(": sold it")

    drive(app, scenario)
