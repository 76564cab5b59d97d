"""`offers`, `peers`, `stats`, `show` and `trust`: what this member's ledger says.

Each reads a view of p2pshare.domain.views and prints it as text for a person
or, with --json, in the shape the README documents for scripts. `peers` adds the
connections of a node running on the same home (its node.json). Whatever members
wrote is printed through printing.py's `line`, `body` and `name_cell`: escaped, a
body's lines indented under its label, and names that look alike told apart by
the fingerprint the views give (`display_name`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from p2pshare.cli.member_access import open_member
from p2pshare.cli.node_commands import running_node_info
from p2pshare.cli.printing import body, level, line, name_cell, out, print_json, short, when
from p2pshare.domain import views

if TYPE_CHECKING:
    import argparse

    from p2pshare.member.home import Home


def cmd_offers(home: Home, args: argparse.Namespace) -> int:
    items = views.feed(open_member(home).viewpoint(), include_closed=args.all)
    if args.json:
        print_json([item.to_json() for item in items])
        return 0
    if not items:
        out("no offers yet")
    strangers = False
    for item in items:
        if item.stranger and not strangers:
            strangers = True
            out("-- from strangers: nobody you trust posted or forwarded these --")
        flags = "".join(
            flag
            for flag, on in (("*", item.for_me), ("✓", item.accepted), ("→", item.handed_to_me))
            if on
        )
        value = f"{item.value} {item.currency}".strip() if item.value else ""
        author = name_cell(item.author_name, item.author_display_name, 16)
        out(
            f"{short(item.id)}  {line(item.title, 48):48}  {author} "
            f"trust {level(item.signal)}  {item.status:13} {value:>12} {flags}"
        )
    return 0


def cmd_peers(home: Home, args: argparse.Namespace) -> int:
    items = _with_links(views.peers(open_member(home).viewpoint()), running_node_info(home))
    if args.json:
        print_json([item.to_json() for item in items])
        return 0
    if not items:
        out("no peers known yet")
    for item in items:
        marks = " muted" if item.muted else " blocked" if item.blocked else ""
        link = f"  {item.connection}" if item.connection else ""
        out(
            f"{name_cell(item.name, item.display_name, 20)} trust {level(item.standing)}  "
            f"vouches {item.vouches:3}  "
            f"fulfilled {item.fulfilled:3}  failed {item.failed:3}  {item.id}{marks}{link}"
        )
    return 0


def _with_links(items: list[views.PeerItem], info: dict[str, Any]) -> list[views.PeerItem]:
    """Fill `connected`, `connection` and `addresses` from the running node's
    node.json; a member is connected when any of its devices is (each is its own
    peer), its row holding their addresses. A connected peer the ledger does not
    know as a member's key (no profile, not a p2pshare member at all, an unlinked
    device) is listed too, nameless, so no connection is hidden."""
    links = info.get("peers") if isinstance(info.get("peers"), dict) else {}
    refused = info.get("refusals") if isinstance(info.get("refusals"), dict) else {}
    assert isinstance(links, dict)
    assert isinstance(refused, dict)
    listed = []
    for item in items:
        keys = [item.id, *(d for d in item.devices if d != item.id)]
        found = [links[k] for k in keys if isinstance(links.get(k), dict)]
        if found:
            item = replace(
                item,
                connected=True,
                connection=found[0].get("connection"),
                addresses=[a for link in found for a in link.get("addresses", [])],
            )
        counts = _refusals_of(refused, keys)
        if counts:
            item = replace(item, refusals=counts)
        listed.append(item)
    known = {key for item in items for key in (item.id, *item.devices)}
    for peer, link in sorted(links.items()):
        if peer not in known and isinstance(link, dict):
            stranger = _stranger(peer, link.get("connection"), link.get("addresses", []))
            listed.append(replace(stranger, refusals=_refusals_of(refused, [peer])))
    return listed


def _refusals_of(refused: dict[str, Any], keys: list[str]) -> dict[str, int]:
    """What the running node refused from any of `keys`, by reason (node.json)."""
    counts: dict[str, int] = {}
    for key in keys:
        reasons = refused.get(key)
        if isinstance(reasons, dict):
            for reason, n in reasons.items():
                if isinstance(reason, str) and isinstance(n, int):
                    counts[reason] = counts.get(reason, 0) + n
    return counts


def _stranger(peer: str, connection: str | None, addresses: list[str]) -> views.PeerItem:
    """A connected peer the ledger knows nothing about (no profile yet)."""
    return views.PeerItem(
        id=peer, name="", headline="", skills=[], region="", available=False, trust=0.0,
        vouches=0, vouched_by_me="", fulfilled=0, failed=0, connector_credit=0,
        muted=False, blocked=False, connected=True, connection=connection,
        addresses=list(addresses),
    )  # fmt: skip


def cmd_stats(home: Home, args: argparse.Namespace) -> int:
    report = views.stats_report(open_member(home).viewpoint())
    if args.json:
        print_json(report)
        return 0

    def money(values: dict[str, int]) -> str:
        return ", ".join(f"{v} {c}".strip() for c, v in values.items()) or "0"

    out(f"offers posted      {report['offers_posted']}")
    out(f"offers forwarded   {report['offers_forwarded']}")
    out(f"handed off         {report['offers_handed_off']}")
    fulfilled_value = money(report["value_fulfilled"])
    out(f"fulfilled          {report['offers_fulfilled']}  (value {fulfilled_value})")
    for row in report["fulfilled_to"]:
        out(f"  by {row['display_name']}: {row['count']}")
    out(f"connector credit   {report['connector_credit']}")
    out(
        f"came back: forwarded to you {report['forwarded_to_me']}, accepted "
        f"{report['offers_accepted']}, handed to you {report['handoffs_received']}, "
        f"fulfilled by you {report['fulfilled_by_me']} (value {money(report['value_earned'])})"
    )
    return 0


def cmd_show(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    detail = views.offer_detail(member.viewpoint(), member.resolve_offer(args.offer))
    if args.json:
        print_json(detail)
        return 0
    d = detail

    def who(person: dict[str, Any]) -> str:
        return str(person["display_name"])

    out(f"{line(d['title'])}  [{d['status']}]")
    out(f"id {d['id']}")
    out(f"by {who(d['author'])} ({d['author']['id']}), trust {level(d['author']['standing'])}")
    if d["skills"]:
        out(line(f"skills: {', '.join(d['skills'])}"))
    where = ", ".join(x for x in (d["region"], "remote" if d["remote"] else "") if x)
    if where:
        out(f"where: {line(where)}")
    if d["value"]:
        out(f"value: {d['value']} {line(d['currency'])}".rstrip())
    out(f"posted {when(d['created_at'])}, expires {when(d['expires_at'])}")
    if d["description"]:
        out()
        out(body("description: ", d["description"]))
    if d["contact"]:
        out(body("\ncontact (private to you): ", d["contact"]))
    elif d["has_contact"]:
        out("\ncontact: sealed (revealed to the member it is handed to)")
    if d["forwards"]:
        out("\nchain:")
        for f in d["forwards"]:
            target = who(f["to"]) if f["to"] else "the network"
            note = f"  “{line(f['note'])}”" if f["note"] else ""
            out(f"  {'  ' * (f['depth'] - 1)}{who(f['from'])} → {target}{note}")
    if d["accepts"]:
        out("\naccepted by:")
        for a in d["accepts"]:
            note = f"  “{line(a['note'])}”" if a["note"] else ""
            out(f"  {who(a['member'])} (trust {level(a['member']['standing'])}){note}")
    for h in d["handoffs"]:
        out(f"\nhanded off to {who(h['to'])} on {when(h['created_at'])}")
        if (o := h["outcome"]) is not None:
            result = "fulfilled" if o["fulfilled"] else "not fulfilled"
            rating = f", rated {o['rating']}/5" if o["rating"] else ""
            out(f"  outcome: {result}{rating}{', confirmed' if h['confirmed'] else ''}")
            if o["note"]:
                out(f"  note: “{line(o['note'])}”")
            if h["disputed"]:
                reply = line(h["confirmation"]["note"]) or "no note"
                out(f"  disputed by {who(h['to'])}: fulfilled, “{reply}”")
    if d["withdrawn"]:
        out(f"\nwithdrawn: {line(d['withdrawn']['reason']) or 'no reason given'}")
    return 0


def cmd_trust(home: Home, args: argparse.Namespace) -> int:
    member = open_member(home)
    report = views.trust_report(
        member.viewpoint(), member.resolve_member(args.member), explain=args.explain
    )
    if args.json:
        print_json(report)
        return 0
    if args.explain and "explanation" in report:
        for said in report["explanation"]:  # names in it are told apart already
            out(line(said))
    else:
        out(f"{report['display_name']}: trust {level(report['standing'])}")
    return 0
