"""`device add|list|revoke` and `init --join`: this member's devices (issue 15).

`device add` offers a one-time code (member/pairing_codes.py) and prints the
command the new machine types. When a node already runs on the home (`serve` or
the app, which hold the home's lock) that node answers the new device, and this
command waits for the outcome it writes to pairings.json; otherwise the command
runs the node itself until the pairing ends and the new device has synced.
`init --join CODE --peer ADDRESS` is the new machine's side: a fresh device key,
the pairing (net/pairing.py), then the member's history by one catch-up sync.
stdout carries what a script needs (the code, the ids); guidance goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import socket
import sys
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from p2pshare.cli.failures import UsageError
from p2pshare.cli.member_access import new_passphrase, open_member
from p2pshare.cli.node_commands import running_node_info
from p2pshare.cli.printing import line, out, print_json, shown, when
from p2pshare.errors import UserError
from p2pshare.member import devices, pairing_codes
from p2pshare.member.home import setup_logging
from p2pshare.member.identity import Identity

if TYPE_CHECKING:
    import argparse

    from p2pshare.domain.device_views import DeviceItem
    from p2pshare.member.actions import Member
    from p2pshare.member.home import Home
    from p2pshare.member.pairing_codes import Offered
    from p2pshare.net.node import Node

SYNC_SECONDS = 60.0  # the new device's first catch-up, and how long `device add` waits for it
RETRY_SECONDS = 0.5  # between two attempts at that catch-up
_ADDRESSES_SHOWN = 4


def cmd_device(home: Home, args: argparse.Namespace) -> int:
    action = {"add": _add, "list": _list, "revoke": _revoke, "rotate-root": _rotate_root}[
        args.action
    ]
    return action(home, args)


# -- device list / revoke -------------------------------------------------------------


def _items(member: Member) -> tuple[devices.Membership, list[DeviceItem]]:
    membership = devices.load_membership(member.home, member.identity, member.store)
    return membership, devices.device_items(devices.directory_of(member.store), membership)


def _list(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    try:
        _, items = _items(member)
    finally:
        member.close()
    if args.json:
        print_json([asdict(item) for item in items])
        return 0
    for item in items:
        marks = [
            name
            for name, on in (("this device", item.this_device), ("root", item.root),
                             ("manages", item.manage and not item.root))
            if on
        ]  # fmt: skip
        state = f"linked {when(item.linked_at)}" if item.linked_at else "linked"
        if item.unlinked_from is not None:
            state = f"revoked from {when(item.unlinked_from)}"
            if item.reason:
                state += f": {line(item.reason)}"
        out("  ".join(filter(None, [item.device_id, line(item.label), ", ".join(marks), state])))
    return 0


def parse_since(text: str, now: int) -> int:
    """`--since`: unix seconds, a date (YYYY-MM-DD, local midnight) or a local date and
    time (YYYY-MM-DD HH:MM); never after now."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 12:
        value = int(text)
    else:
        try:
            value = int(dt.datetime.fromisoformat(text).timestamp())
        except ValueError:
            raise UsageError(
                f"--since {shown(text)}: give a date (2026-03-01), a date and time "
                "(2026-03-01 14:30) or unix seconds"
            ) from None
    if value > now:
        raise UserError("--since is in the future: a device is revoked from a past moment")
    return value


def _revoke(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    try:
        now = member.now()
        since = now if args.since is None else parse_since(args.since, now)
        revoked = devices.revoke(member, args.device, reason=args.reason, since=since)
    finally:
        member.close()
    out(revoked.unlink.id.hex())
    print(
        "Revoked: its records dated from then on are refused by every member who receives "
        "this (a running node publishes it).",
        file=sys.stderr,
    )
    if revoked.profile is not None:
        print(
            "The member has a new seal key: what others seal to it once they have the new "
            "profile does not open on the revoked device; your other devices fetch the key "
            "when they meet this one (what was sealed before stays readable to it).",
            file=sys.stderr,
        )
    return 0


def _rotate_root(home: Home, args: argparse.Namespace) -> int:
    """A new root key, shown once as words, and a new key for this home (member/rotation.py)."""
    from p2pshare.cli.member_access import passphrase_prompt
    from p2pshare.member import identity as ident
    from p2pshare.member.rotation import rotate_root
    from p2pshare.store import NodeLock, NodeLockedError

    label = devices.check_label(args.label or socket.gethostname() or "device")
    lock = NodeLock(home.lock_file)
    try:
        lock.acquire()  # no node may sign with the old key while it is replaced
    except NodeLockedError:
        raise UserError(
            "a node runs on this home (serve or the app): stop it, then rotate"
        ) from None
    try:
        passphrase = passphrase_prompt() if ident.is_encrypted(home) else None
        member = open_member(home)
        try:
            rotated = rotate_root(
                member, label=label, passphrase=passphrase, keep_words=_show_new_root
            )
        finally:
            member.close()
    finally:
        lock.release()
    print("This home signs with a new device key now.", file=sys.stderr)
    out(f"root {rotated.new_root.member_id}")
    out(f"device {rotated.device_id}")
    out(f"record {rotated.rotation.id.hex()}")
    return 0


def _show_new_root(new_root: Identity) -> None:
    """The new root's words, shown once, as soon as the rotation is stored."""
    from p2pshare.member.recovery import paper, words_for

    print(
        "The member's root key is now a new one. Write these words on paper and keep them\n"
        "offline: they are the only copy of the new root (p2pshare init --recover), which\n"
        "you need to rotate again, with your sealing key. They are not shown again. Your\n"
        "old words no longer restore the root.\n\n"
        f"{paper(words_for(new_root))}\n",
        file=sys.stderr,
        flush=True,
    )


# -- device add -----------------------------------------------------------------------


def _add(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    try:
        membership = devices.load_membership(home, member.identity, member.store)
    finally:
        member.close()
    if not membership.manage:
        raise UserError("this device may not add devices: pair from the root or a managing one")
    label = devices.check_label(args.label) if args.label is not None else ""
    info = running_node_info(home)
    if info:
        offered = pairing_codes.offer_pairing(home, manage=args.manage, label=label)
        _show_code(home, offered, list(info.get("addresses", [])), args)
        return _report(_wait_in_file(home, offered))
    return _add_with_own_node(home, args, label)


def _show_code(
    home: Home, offered: Offered, addresses: list[str], args: argparse.Namespace
) -> None:
    peers = " ".join(f"--peer {address}" for address in shown_addresses(addresses))
    out(f"code {offered.code}")
    out(f"command p2pshare init --join {offered.code} {peers}".rstrip())
    sys.stdout.flush()
    print(
        f"On the new machine, run the command above (the code works once, until "
        f"{when(offered.expires_at)}). Waiting for it...",
        file=sys.stderr,
        flush=True,
    )


def shown_addresses(addresses: list[str]) -> list[str]:
    """The addresses the new machine is told to dial: at most four, those another machine
    can reach first (LAN or public, then circuits through relays), loopback last."""

    def rank(address: str) -> int:
        if "/p2p-circuit" in address:
            return 1
        return 2 if address.startswith(("/ip4/127.", "/ip6/::1/")) else 0

    return sorted(addresses, key=rank)[:_ADDRESSES_SHOWN]


def _wait_in_file(home: Home, offered: Offered) -> Offered:
    """The pairing's outcome, as the home's running node writes it."""
    deadline = offered.expires_at + 5
    while time.time() < deadline:
        state = pairing_codes.pairing_state(home, offered.code)
        if state is None:
            raise UserError("the pairing was dropped (too many were offered at once)")
        if state.done:
            return state
        time.sleep(0.2)
    return pairing_codes.Offered(**{**asdict(offered), "state": "failed", "reason": "expired"})


def _report(state: Offered) -> int:
    if state.state != "paired":
        raise UserError(f"no device was paired: {state.reason or 'the code expired'}")
    out(f"paired {state.device}")
    return 0


def _add_with_own_node(home: Home, args: argparse.Namespace, label: str) -> int:
    """No node runs on the home: run one until the pairing ends and the device synced."""
    member = open_member(home)  # kept open: the ledger's judge at the node's door
    import trio

    from p2pshare.net.bridge import unwrap
    from p2pshare.net.node import Node, NodeConfig

    setup_logging(home)
    config = NodeConfig(
        listen=tuple(args.listen),
        peers=tuple(args.peer),
        mdns=not args.no_mdns,
        community=getattr(args, "community", None)
        or devices.load_membership(home, member.identity).community,
    )
    node = Node(home, member.identity, config)
    node.judge = member.judge
    outcome: list[Offered] = []

    async def run() -> None:
        async with trio.open_nursery() as nursery:
            info = await nursery.start(node.run)
            offered = pairing_codes.offer_pairing(home, manage=args.manage, label=label)
            _show_code(home, offered, list(info.addresses), args)
            state = offered
            while not state.done and time.time() < offered.expires_at + 5:
                await trio.sleep(0.2)  # a file written by the pairing: no event to wait on
                state = pairing_codes.pairing_state(home, offered.code) or state
            outcome.append(state)
            if state.state == "paired":  # stay while the new device takes the history
                with trio.move_on_after(SYNC_SECONDS):
                    while not node.synced_with(state.device):  # noqa: ASYNC110
                        await trio.sleep(0.2)  # the node tells no event for it
            nursery.cancel_scope.cancel()

    try:
        trio.run(run)
    except BaseException as exc:
        raise unwrap(exc) from None
    finally:
        member.close()
    if not outcome:
        raise UserError("the node stopped before a device paired")
    state = outcome[0]
    if not state.done:
        state = pairing_codes.Offered(**{**asdict(state), "state": "failed", "reason": "expired"})
    return _report(state)


# -- init --join ----------------------------------------------------------------------


def join_home(home: Home, args: argparse.Namespace) -> str:
    """`init --join`: pair this new home with a member; returns the member id."""
    _, code = pairing_codes.parse_code(args.join)
    if not args.peer:
        raise UsageError(
            "init --join needs --peer ADDRESS: the one `device add` printed with the code"
        )
    label = devices.check_label(args.label or socket.gethostname() or "device")
    passphrase = new_passphrase() if args.passphrase else None
    device_key = Ed25519PrivateKey.generate()
    # The member's seal key arrives with the certificate; until then the node needs one.
    dialer = Identity(device_key, X25519PrivateKey.generate())
    home.ensure()
    import trio

    from p2pshare.net.bridge import unwrap
    from p2pshare.net.node import Node, NodeConfig
    from p2pshare.net.pairing import PairingFailed

    setup_logging(home)  # again: importing libp2p resets logging
    node = Node(
        home, dialer, NodeConfig(listen=tuple(args.listen), mdns=False, write_node_file=False)
    )
    result: list[Any] = []

    async def run() -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(node.run)
            failures: list[str] = []
            for address in args.peer:
                try:
                    joined = await node.pair(address, code=code, label=label)
                except PairingFailed as exc:  # the code is burnt: no other address helps
                    raise UserError(f"the pairing failed: {exc}") from None
                except Exception as exc:  # this address does not answer: the next one
                    failures.append(f"{shown(address)}: {exc}")
                    continue
                membership = devices.settle_joined(
                    home,
                    Identity(device_key, joined.seal_key),
                    joined.certificate.data,
                    community=joined.community,
                    passphrase=passphrase,
                )
                assert node.store is not None
                for data in joined.records:
                    node.store.ingest(data, now=int(time.time()))
                result.append(membership)
                print("Paired. Taking the member's history...", file=sys.stderr, flush=True)
                peer = address.rsplit("/p2p/", 1)[-1]
                result.append(await _take_history(node, peer))
                break
            else:
                raise UserError("no address answered: " + "; ".join(failures))
            nursery.cancel_scope.cancel()

    try:
        trio.run(run)
    except BaseException as exc:
        raise unwrap(exc) from None
    membership = result[0]
    received = result[1] if len(result) > 1 else 0
    print(
        f"This machine is now a device of member {membership.member_id} "
        f"({received} records received).",
        file=sys.stderr,
    )
    return str(membership.member_id)


async def _take_history(node: Node, peer: str) -> int:
    """Catch up with the device that paired us until one session runs to its end: on
    a busy machine a session's stream can fail to open, and the new device would
    start with nothing. Records received, whichever side started the session (the
    store's growth: a session the other side starts is not ours to count); bounded
    by SYNC_SECONDS."""
    import trio

    assert node.store is not None
    before = node.store.count()
    with trio.move_on_after(SYNC_SECONDS):
        while True:
            await node.sync_with(peer)
            if node.synced_with(peer):
                break
            await trio.sleep(RETRY_SECONDS)
    return node.store.count() - before
