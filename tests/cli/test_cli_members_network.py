"""One member on two machines among other members, all real `serve` processes on
127.0.0.1 driven through the command line (issue 15, "## Tests").

Mira's desk holds her root; her laptop joins with `device add` / `init --join`.
Xena and Yuri are members of their own. Each home runs `serve`, joined by invites,
and acts through one-shot commands while its node runs, as a person at a terminal
would. One test, in steps that share the homes and processes:

1. both of Mira's machines post, forward and accept, and one reports what the
   other handed off: Xena and Yuri see one member (one `peers` row holding both
   device ids, one trust score, one history);
2. the desk revokes the laptop while the laptop and Yuri are offline; what the
   laptop signs afterwards is refused by every node, by Yuri too when it comes back
   and catches up from the laptop itself (which holds both the revocation and the
   record);
3. the desk rotates Mira's root: Xena's trust for Mira and Mira's credit are the
   same before and after, under the same member id, and the desk's next offer is
   Mira's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from serve_processes import ServeProcesses, first_lines, until

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.network

LOOPBACK = ("--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns")


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[ServeProcesses]:
    running = ServeProcesses(tmp_path)
    try:
        yield running
    finally:
        running.close()


def _row(homes: ServeProcesses, name: str, member: str) -> dict[str, Any]:
    """The member's row in `peers --json` on that home; there must be exactly one."""
    rows: list[dict[str, Any]] = [r for r in homes.json(name, "peers") if r["id"] == member]
    assert len(rows) == 1, rows
    return rows[0]


def _offers(homes: ServeProcesses, name: str) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for o in homes.json(name, "offers", "--all")}


def _everywhere(homes: ServeProcesses, names: tuple[str, ...], records: list[str]) -> None:
    until(
        lambda: all(homes.has(n, r) for n in names for r in records),
        f"every record on {names}",
    )


def _ids(out: str) -> list[str]:
    """Record ids an acting command printed (an outcome may print its credit's too)."""
    return out.split()


def test_two_devices_one_member_revoked_device_refused_rotation_keeps_trust(
    homes: ServeProcesses,
) -> None:
    everyone = ("desk", "laptop", "xena", "yuri")
    mira = homes.cli("desk", "init", "--name", "Mira")
    xena = homes.cli("xena", "init", "--name", "Xena")
    yuri = homes.cli("yuri", "init", "--name", "Yuri")
    desk_at = homes.serve("desk")
    homes.serve("xena", desk_at["invite"])
    homes.serve("yuri", desk_at["invite"])

    # The laptop joins while the desk's serve runs: the serve answers the pairing.
    adding = homes.start("desk", "device", "add", "--label", "laptop")
    command = first_lines(adding, "command")["command"].split()
    assert homes.cli("laptop", *command[1:], *LOOPBACK) == mira
    out, err = adding.communicate(timeout=60)
    assert adding.returncode == 0, err
    laptop = out.split()[-1]
    assert laptop != mira
    laptop_at = homes.serve("laptop", desk_at["invite"])
    assert laptop_at["listening"].endswith("/p2p/" + laptop)  # its own peer

    # -- 1. both devices act; the others see one member ----------------------------
    def post(name: str, title: str) -> str:
        return homes.cli(name, "offer", "post", "--title", title)

    desk_offer = post("desk", "Keynote in Lisbon")
    laptop_offer = post("laptop", "A van for Saturday")
    photos = post("xena", "Wedding photographer, Porto")
    contract = post("xena", "Translator for a contract")
    sound = post("yuri", "Sound engineer for a festival")
    _everywhere(homes, everyone, [desk_offer, laptop_offer, photos, contract, sound])

    acts = [
        homes.cli("laptop", "offer", "forward", photos, "--to", yuri),
        homes.cli("desk", "offer", "forward", sound, "--to", xena),
        homes.cli("desk", "offer", "accept", sound),
        homes.cli("laptop", "offer", "accept", contract),
        homes.cli("xena", "offer", "accept", laptop_offer),
        homes.cli("yuri", "offer", "accept", desk_offer),
        homes.cli("xena", "vouch", mira, "--skill", "talks"),
    ]
    _everywhere(homes, everyone, acts)
    acts += [
        homes.cli("yuri", "offer", "accept", photos),  # reached Yuri through the laptop
        homes.cli("desk", "offer", "handoff", laptop_offer, "--to", xena),  # the laptop's
        homes.cli("yuri", "offer", "handoff", sound, "--to", mira),  # the desk accepted it
    ]
    _everywhere(homes, everyone, acts)
    acts += [
        homes.cli("xena", "offer", "handoff", photos, "--to", yuri),
        homes.cli("laptop", "offer", "outcome", laptop_offer, "--fulfilled", "--no-credit"),
        *_ids(homes.cli("yuri", "offer", "outcome", sound, "--fulfilled", "--no-credit")),
    ]
    _everywhere(homes, everyone, acts)
    acts += _ids(homes.cli("xena", "offer", "outcome", photos, "--fulfilled", "--credit", mira))
    _everywhere(homes, everyone, acts)

    for other in ("xena", "yuri"):
        seen = _row(homes, other, mira)
        assert seen["devices"] == [mira, laptop]
        assert not [r for r in homes.json(other, "peers") if r["id"] == laptop]
        assert seen["trust"] > 0
        assert (seen["fulfilled"], seen["connector_credit"], seen["vouches"]) == (1, 1, 1)
        offers = _offers(homes, other)
        assert offers[desk_offer]["author"] == offers[laptop_offer]["author"] == mira
        assert offers[laptop_offer]["status"] == "fulfilled"  # handed off by the desk
        assert homes.json(other, "trust", mira)["trust"] == seen["trust"]
    shown = homes.json("xena", "show", contract)
    assert [a["member"]["id"] for a in shown["accepts"]] == [mira]  # the laptop's accept
    shown = homes.json("yuri", "show", sound)
    assert [a["member"]["id"] for a in shown["accepts"]] == [mira]  # the desk's
    assert [h["to"]["id"] for h in shown["handoffs"]] == [mira]
    (handed,) = homes.json("yuri", "show", photos)["handoffs"]  # the laptop forwarded it
    assert handed["forwarders"] == handed["credited"] == [mira]
    for device, other_device in (("desk", laptop_offer), ("laptop", desk_offer)):
        assert _offers(homes, device)[other_device]["mine"]  # the other device's: mine

    # -- 2. revoke the laptop while it and Yuri are offline ---------------------------
    homes.stop("laptop")
    homes.stop("yuri")
    unlink = homes.cli("desk", "device", "revoke", laptop, "--reason", "stolen")
    until(lambda: homes.has("xena", unlink), "Xena has the revocation")
    # the thief signs with the laptop's key, its home unaware of the revocation
    assert not homes.has("laptop", unlink)
    stolen = post("laptop", "Send a deposit first")
    xena_at = first_address(homes, "xena")
    homes.serve("laptop", xena_at, first_address(homes, "desk"))
    until(
        lambda: (
            homes.has("laptop", unlink)
            and homes.refused("xena", laptop, "member") >= 1
            and homes.refused("desk", laptop, "member") >= 1
        ),
        "the laptop syncs the revocation, Xena and the desk refuse its record",
    )
    # (these commands take seconds: by the time Yuri is back, the record has left the
    # laptop's gossip window, three heartbeats of a second, and comes only by sync)
    for name in ("desk", "xena"):
        assert not homes.has(name, stolen)
        offers = _offers(homes, name)
        assert stolen not in offers
        assert offers[laptop_offer]["author"] == mira  # what it signed before stays
    listed = {d["device_id"]: d for d in homes.json("desk", "device", "list")}
    assert (listed[laptop]["reason"], listed[laptop]["root"]) == ("stolen", False)
    assert listed[laptop]["unlinked_from"] is not None
    # Yuri comes back and catches up, from the laptop (which holds the revocation and
    # the record) and the members it remembers: the record is refused
    homes.serve("yuri", first_address(homes, "laptop"))
    until(
        lambda: homes.has("yuri", unlink) and homes.refused("yuri", laptop, "member") >= 1,
        "Yuri catches up the revocation and refuses the laptop's record",
    )
    assert not homes.has("yuri", stolen)
    offers = _offers(homes, "yuri")
    assert stolen not in offers
    assert offers[laptop_offer]["author"] == mira
    assert _row(homes, "yuri", mira)["devices"] == [mira]  # the laptop signs for nobody

    # -- 3. rotate the root: trust and credit carry over ------------------------------
    before = homes.json("xena", "trust", mira)
    credit_before = _row(homes, "xena", mira)["connector_credit"]
    own_before = homes.json("desk", "stats")["connector_credit"]
    homes.stop("desk")
    rotated = dict(
        line.split(" ", 1) for line in homes.cli("desk", "device", "rotate-root").splitlines()
    )
    homes.serve("desk", xena_at)
    until(lambda: homes.has("xena", rotated["record"]), "Xena has the rotation")
    after = homes.json("xena", "trust", mira)
    assert (after["id"], after["trust"], after["standing"]) == (
        mira,
        before["trust"],
        before["standing"],
    )
    seen = _row(homes, "xena", mira)
    assert seen["connector_credit"] == credit_before == 1
    assert rotated["device"] in seen["devices"]
    assert homes.json("desk", "stats")["connector_credit"] == own_before == 1
    ids = homes.json("desk", "id")
    assert (ids["member"], ids["device"]) == (mira, rotated["device"])
    later = post("desk", "Panel moderator, Berlin")
    until(lambda: homes.has("xena", later), "Xena has the desk's next offer")
    assert _offers(homes, "xena")[later]["author"] == mira


def first_address(homes: ServeProcesses, name: str) -> str:
    return str(homes.json(name, "id")["addresses"][0])
