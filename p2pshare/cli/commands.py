"""What each `p2pshare` subcommand does. Output on stdout, one-line errors via UserError.

Acting commands sign a record into the store and return at once; a node
running on the same home (the app or `serve`) publishes it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import signal
import stat
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from p2pshare.cli.activity import cmd_activity, say
from p2pshare.domain import views
from p2pshare.errors import NotFound, UserError
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member, create_member
from p2pshare.member.home import Home, ensure_listen, setup_logging
from p2pshare.member.marks import BLOCKED, MUTED
from p2pshare.store import StoreError
from p2pshare.store.export_file import check_export_target, export_to
from protocol import PublicKey, member_id, normalize_skills

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable


class UsageError(UserError):
    """The command line asks for nothing, or for something it cannot mean."""

    exit_code = 2


def _shown(text: str) -> str:
    return text if len(text) <= 80 else f"{text[:40]}…{text[-20:]} ({len(text)} characters)"


def _out(text: str = "") -> None:
    print(text)


def _json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))


def _passphrase_prompt() -> bytes | None:
    if (env := ident.passphrase_from_env()) is not None:
        return env
    if not sys.stdin.isatty():
        return None
    return getpass.getpass("Passphrase: ").encode() or None


def _member(home: Home) -> Member:
    try:
        return Member.open(home, passphrase=_passphrase_prompt)
    except StoreError as exc:
        raise UserError(str(exc)) from None


def _when(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")


def _short(hex_id: str) -> str:
    return hex_id[:10]


def cmd_init(home: Home, args: argparse.Namespace) -> int:
    if ident.exists(home):
        raise UserError(f"{home.path} already has an identity; nothing was changed")
    passphrase = None
    if args.passphrase:
        passphrase = ident.passphrase_from_env()
        if passphrase is None:
            if not sys.stdin.isatty():
                raise UserError(f"--passphrase needs a terminal or ${ident.ENV_PASSPHRASE}")
            passphrase = getpass.getpass("New passphrase: ").encode()
            if not passphrase:
                raise UserError(
                    "an empty passphrase would leave the key unencrypted: type one, or run "
                    "init without --passphrase to keep the key unencrypted; nothing was changed"
                )
            if passphrase != getpass.getpass("Again: ").encode():
                raise UserError("the passphrases differ; nothing was changed")
    identity = create_member(
        home,
        name=args.name,
        headline=args.headline,
        skills=args.skills,
        region=args.region,
        passphrase=passphrase,
    )
    ensure_listen(home)  # the port kept in config.toml: invites outlive restarts
    _out(identity.member_id)  # stdout stays the id alone, for scripts; the rest to stderr
    flag = "" if args.home is None else f" --home {args.home}"
    print(
        f"Your identity is in {home.path}. Next:\n"
        f"  p2pshare{flag}                       open the app\n"
        f"  p2pshare{flag} --peer INVITE         join through a member's invite\n"
        f"  p2pshare{flag} invite                your own invite, once a node runs",
        file=sys.stderr,
    )
    return 0


def _node_info(home: Home) -> dict[str, Any]:
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
    member = _member(home)
    profile = member.profile()
    info = _node_info(home)
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
    }
    if args.json:
        _json(data)
    else:
        _out(data["id"])
        _out(f"name: {data['name']}")
        for addr in data["addresses"]:
            _out(f"address: {addr}")
        if data["running"]:
            _out(f"reachability: {data['reachability']}")
        _out(f"invite: {data['invite']}" if data["invite"] else "no node running on this home")
    return 0


def cmd_serve(home: Home, args: argparse.Namespace) -> int:
    """Run the node headless until SIGINT/SIGTERM; addresses and invite on stdout once."""
    member = _member(home)  # kept open: the ledger's judge at the node's door
    identity = member.identity
    import trio

    from p2pshare.net.bridge import unwrap
    from p2pshare.net.node import Node, NodeConfig  # imports libp2p, which resets its logging

    setup_logging(home)  # so apply ours again, after that import
    config = NodeConfig(
        listen=tuple(args.listen),
        peers=tuple(args.peer),
        mdns=not args.no_mdns,
        community=args.community,
        relay=args.relay,
    )
    node = Node(home, identity, config)
    node.judge = member.judge  # what the ledger refuses is refused at the door (issue 16 §5)

    async def serve() -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with trio.open_nursery() as nursery:
                info = await nursery.start(node.run)
                _out(f"member {info.member_id}")
                for addr in info.addresses:
                    _out(f"listening {addr}")
                _out(f"invite {info.invite}")
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


def cmd_invite(home: Home, args: argparse.Namespace) -> int:
    info = _node_info(home)
    if not info.get("invite"):
        raise UserError("no node is running on this home: start `p2pshare serve` or the app")
    _out(info["invite"])
    return 0


def cmd_profile(home: Home, args: argparse.Namespace) -> int:
    given = {
        "name": args.name,
        "headline": args.headline,
        "skills": None if args.skills is None else tuple(normalize_skills(args.skills)),
        "region": args.region,
        "available": args.available,
    }
    changes = {key: value for key, value in given.items() if value is not None}
    if not changes:
        raise UsageError(
            "nothing to change: give --name, --skills, --headline, --region or --available"
        )
    member = _member(home)
    old = member.profile()
    if (
        old is not None
        and old.seal_key == member.identity.seal_public
        and all(getattr(old, key) == value for key, value in changes.items())
    ):
        print("p2pshare: the profile already says that; nothing was signed", file=sys.stderr)
        return 0
    env = member.set_profile(
        name=args.name,
        headline=args.headline,
        skills=args.skills,
        region=args.region,
        available=args.available,
    )
    _out(env.id.hex())
    return 0


def cmd_offer(home: Home, args: argparse.Namespace) -> int:
    member = _member(home)
    action = args.action
    if action == "post":
        env = member.post_offer(
            title=args.title,
            description=args.body,
            skills=args.skills,
            region=args.region,
            remote=args.remote,
            value=args.value,
            expires_days=args.expires,
            contact=args.contact,
        )
    else:
        state = member.resolve_offer(args.offer)
        if action == "forward":
            to = None if args.network else _other_member(member, args.to, "forward an offer to")
            env = member.forward(state, to=to, note=args.note)
        elif action == "accept":
            env = member.accept(state, note=args.note)
        elif action == "handoff":
            env = member.handoff(state, to=_other_member(member, args.to, "hand an offer to"))
        elif action == "outcome":
            to = member.resolve_member(args.to) if args.to else None
            amount, currency = args.value
            if currency and currency != state.offer.currency:
                raise UserError(_currency_mismatch(state.offer.currency, currency))
            env = member.outcome(
                state,
                fulfilled=args.fulfilled,
                rating=args.rating,
                value=amount,
                to=to,
                note=args.note,
            )
            if args.fulfilled and not args.no_credit and state.author == member.me:
                # connector credit only for forwarders named (default: those I trust)
                state = member.resolve_offer(args.offer)
                if args.credit:
                    named = tuple(member.resolve_member(m) for m in args.credit)
                else:
                    named = member.trusted_forwarders(state, to=to)
                if named:
                    _out(member.credit(state, named, to=to).id.hex())
        elif action == "reply":
            env = member.reply(state, note=args.note, rating=args.rating)
        elif action == "decline":
            env = member.decline(state, note=args.note)
        elif action == "say":
            return say(member, state, args)
        else:
            env = member.withdraw(state, reason=args.reason)
    _out(env.id.hex())
    return 0


def _currency_mismatch(offer_currency: str, given: str) -> str:
    if not offer_currency:
        return f"the offer's value names no currency, not {given}: give the amount alone"
    return (
        f"the offer's value is in {offer_currency}, not {given}: "
        f"give the amount alone or in {offer_currency}"
    )


def _other_member(member: Member, text: str, doing: str) -> PublicKey:
    """The member `text` names, who must not be this member: "you cannot … yourself"."""
    me = member.identity.member_id
    try:
        key = member.resolve_member(text)
    except NotFound:
        profile = member.profile()
        wanted = text.strip()
        if wanted and (
            me.startswith(wanted)
            or (profile is not None and profile.name.casefold() == wanted.casefold())
        ):
            raise UserError(f"{_shown(wanted)} is you: you cannot {doing} yourself") from None
        raise
    if member_id(key) == me:
        raise UserError(f"{_shown(text.strip())} is you: you cannot {doing} yourself")
    return key


def cmd_vouch(home: Home, args: argparse.Namespace) -> int:
    member = _member(home)
    env = member.vouch(
        _other_member(member, args.member, "vouch for"), skills=args.skill, note=args.note
    )
    _out(env.id.hex())
    return 0


def cmd_revoke(home: Home, args: argparse.Namespace) -> int:
    member = _member(home)
    env = member.revoke(member.resolve_vouch(args.vouch))
    _out(env.id.hex())
    return 0


def cmd_offers(home: Home, args: argparse.Namespace) -> int:
    items = views.feed(_member(home).viewpoint(), include_closed=args.all)
    if args.json:
        _json([item.to_json() for item in items])
        return 0
    if not items:
        _out("no offers yet")
    strangers = False
    for item in items:
        if item.stranger and not strangers:
            strangers = True
            _out("-- from strangers: nobody you trust posted or forwarded these --")
        flags = "".join(
            flag
            for flag, on in (("*", item.for_me), ("✓", item.accepted), ("→", item.handed_to_me))
            if on
        )
        value = f"{item.value} {item.currency}".strip() if item.value else ""
        _out(
            f"{_short(item.id)}  {item.title[:48]:48}  {item.author_name[:16]:16} "
            f"trust {_level(item.signal)}  {item.status:13} {value:>12} {flags}"
        )
    return 0


def _level(standing: float) -> str:
    """A standing (trust_scale.py) as text: "top 12%" of the members you know, or "none"."""
    if standing <= 0.0:
        return "none    "
    return f"top {max(1, round(100 * (1.0 - standing) + 0.5)):>3}%"[:8].ljust(8)


def cmd_peers(home: Home, args: argparse.Namespace) -> int:
    items = _with_links(views.peers(_member(home).viewpoint()), _node_info(home))
    if args.json:
        _json([item.to_json() for item in items])
        return 0
    if not items:
        _out("no peers known yet")
    for item in items:
        marks = " muted" if item.muted else " blocked" if item.blocked else ""
        link = f"  {item.connection}" if item.connection else ""
        _out(
            f"{item.name[:20]:20} trust {_level(item.standing)}  vouches {item.vouches:3}  "
            f"fulfilled {item.fulfilled:3}  failed {item.failed:3}  {item.id}{marks}{link}"
        )
    return 0


def _with_links(items: list[views.PeerItem], info: dict[str, Any]) -> list[views.PeerItem]:
    """Fill `connected`, `connection` and `addresses` from the running node's
    node.json; a connected peer the ledger does not know yet (no profile, or not
    a p2pshare member at all) is listed too, nameless, so no connection is hidden."""
    links = info.get("peers") if isinstance(info.get("peers"), dict) else {}
    assert isinstance(links, dict)
    out = []
    for item in items:
        link = links.get(item.id)
        if isinstance(link, dict):
            item = replace(
                item,
                connected=True,
                connection=link.get("connection"),
                addresses=list(link.get("addresses", [])),
            )
        out.append(item)
    known = {item.id for item in items}
    for peer, link in sorted(links.items()):
        if peer not in known and isinstance(link, dict):
            out.append(_stranger(peer, link.get("connection"), link.get("addresses", [])))
    return out


def _stranger(peer: str, connection: str | None, addresses: list[str]) -> views.PeerItem:
    """A connected peer the ledger knows nothing about (no profile yet)."""
    return views.PeerItem(
        id=peer, name="", headline="", skills=[], region="", available=False, trust=0.0,
        vouches=0, vouched_by_me="", fulfilled=0, failed=0, connector_credit=0,
        muted=False, blocked=False, connected=True, connection=connection,
        addresses=list(addresses),
    )  # fmt: skip


def cmd_stats(home: Home, args: argparse.Namespace) -> int:
    report = views.stats_report(_member(home).viewpoint())
    if args.json:
        _json(report)
        return 0

    def money(values: dict[str, int]) -> str:
        return ", ".join(f"{v} {c}".strip() for c, v in values.items()) or "0"

    _out(f"offers posted      {report['offers_posted']}")
    _out(f"offers forwarded   {report['offers_forwarded']}")
    _out(f"handed off         {report['offers_handed_off']}")
    fulfilled_value = money(report["value_fulfilled"])
    _out(f"fulfilled          {report['offers_fulfilled']}  (value {fulfilled_value})")
    for row in report["fulfilled_to"]:
        _out(f"  by {row['name']}: {row['count']}")
    _out(f"connector credit   {report['connector_credit']}")
    _out(
        f"came back: forwarded to you {report['forwarded_to_me']}, accepted "
        f"{report['offers_accepted']}, handed to you {report['handoffs_received']}, "
        f"fulfilled by you {report['fulfilled_by_me']} (value {money(report['value_earned'])})"
    )
    return 0


def cmd_show(home: Home, args: argparse.Namespace) -> int:
    member = _member(home)
    detail = views.offer_detail(member.viewpoint(), member.resolve_offer(args.offer))
    if args.json:
        _json(detail)
        return 0
    d = detail
    _out(f"{d['title']}  [{d['status']}]")
    _out(f"id {d['id']}")
    _out(f"by {d['author']['name']} ({d['author']['id']}), trust {_level(d['author']['standing'])}")
    if d["skills"]:
        _out(f"skills: {', '.join(d['skills'])}")
    where = ", ".join(x for x in (d["region"], "remote" if d["remote"] else "") if x)
    if where:
        _out(f"where: {where}")
    if d["value"]:
        _out(f"value: {d['value']} {d['currency']}".rstrip())
    _out(f"posted {_when(d['created_at'])}, expires {_when(d['expires_at'])}")
    if d["description"]:
        _out()
        _out(d["description"])
    if d["contact"]:
        _out(f"\ncontact (private to you): {d['contact']}")
    elif d["has_contact"]:
        _out("\ncontact: sealed (revealed to the member it is handed to)")
    if d["forwards"]:
        _out("\nchain:")
        for f in d["forwards"]:
            target = f["to"]["name"] if f["to"] else "the network"
            note = f"  “{f['note']}”" if f["note"] else ""
            _out(f"  {'  ' * (f['depth'] - 1)}{f['from']['name']} → {target}{note}")
    if d["accepts"]:
        _out("\naccepted by:")
        for a in d["accepts"]:
            note = f"  “{a['note']}”" if a["note"] else ""
            _out(f"  {a['member']['name']} (trust {_level(a['member']['standing'])}){note}")
    for h in d["handoffs"]:
        _out(f"\nhanded off to {h['to']['name']} on {_when(h['created_at'])}")
        if (o := h["outcome"]) is not None:
            result = "fulfilled" if o["fulfilled"] else "not fulfilled"
            rating = f", rated {o['rating']}/5" if o["rating"] else ""
            _out(f"  outcome: {result}{rating}{', confirmed' if h['confirmed'] else ''}")
            if h["disputed"]:
                reply = h["confirmation"]["note"] or "no note"
                _out(f"  disputed by {h['to']['name']}: fulfilled, “{reply}”")
    if d["withdrawn"]:
        _out(f"\nwithdrawn: {d['withdrawn']['reason'] or 'no reason given'}")
    return 0


def cmd_trust(home: Home, args: argparse.Namespace) -> int:
    member = _member(home)
    report = views.trust_report(
        member.viewpoint(), member.resolve_member(args.member), explain=args.explain
    )
    if args.json:
        _json(report)
        return 0
    if args.explain and "explanation" in report:
        for line in report["explanation"]:
            _out(line)
    else:
        _out(f"{report['name']}: trust {_level(report['standing'])}")
    return 0


def cmd_export(home: Home, args: argparse.Namespace) -> int:
    """Write the export next to FILE and rename it there: never into the home, never
    over a directory or device, over an existing file only with --force."""
    target = check_export_target(args.file, home=home.path, force=args.force)
    member = _member(home)
    count = export_to(target, member.store.export, replace=args.force)
    _out(f"exported {count} records to {_shown(args.file)}")
    return 0


def _readable_file(text: str) -> Path:
    """`text` as the path of a regular file this process can open, else UserError."""
    if not text:
        raise UserError("import needs a file name")
    path = Path(text)
    try:
        st = path.stat()
        if stat.S_ISREG(st.st_mode):
            with path.open("rb"):
                pass
    except FileNotFoundError:
        raise UserError(f"no such file: {_shown(text)}") from None
    except OSError as exc:
        raise UserError(f"cannot read {_shown(text)}: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{_shown(text)} is not a regular file")
    return path


def demo_dir(text: str | None) -> str | None:
    """`demo --dir`: a directory the demo can keep its homes in (created if missing)."""
    if text is None:
        return None
    if not text:
        raise UserError("--dir needs a directory name, not an empty string")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UserError(f"--dir {_shown(text)} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".p2pshare-probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise UserError(f"cannot keep the demo in {_shown(text)}: {exc.strerror}") from None
    return text


def cmd_import(home: Home, args: argparse.Namespace) -> int:
    path = _readable_file(args.file)
    member = _member(home)
    report = member.store.import_file(
        path,
        now=member.now(),
        on_progress=lambda done: print(f"imported {done}", flush=True),
    )
    _out(f"{report.new} new, {report.known} already known, {len(report.rejected)} rejected")
    for index, reason in report.rejected[:20]:
        print(f"  record {index}: {reason}", file=sys.stderr)
    if len(report.rejected) > 20:
        print(f"  ... and {len(report.rejected) - 20} more", file=sys.stderr)
    if report.error:
        raise UserError(
            f"{path}: {report.error} (the {report.processed} records before it were kept)"
        )
    return 0


def cmd_mark(home: Home, args: argparse.Namespace) -> int:
    member = _member(home)
    key = _other_member(member, args.member, args.command)
    mark = MUTED if args.command == "mute" else BLOCKED
    member.marks.set(mark, key, not args.undo)
    _out(
        f"{member.name_of(key)} {'un' if args.undo else ''}{args.command}d"
        if mark == MUTED
        else f"{member.name_of(key)} {'un' if args.undo else ''}blocked"
    )
    return 0


COMMANDS: dict[str, Callable[[Home, argparse.Namespace], int]] = {
    "init": cmd_init,
    "id": cmd_id,
    "invite": cmd_invite,
    "serve": cmd_serve,
    "profile": cmd_profile,
    "offer": cmd_offer,
    "vouch": cmd_vouch,
    "revoke": cmd_revoke,
    "offers": cmd_offers,
    "peers": cmd_peers,
    "stats": cmd_stats,
    "show": cmd_show,
    "trust": cmd_trust,
    "export": cmd_export,
    "import": cmd_import,
    "mute": cmd_mark,
    "block": cmd_mark,
    "activity": cmd_activity,
}


def run(args: argparse.Namespace) -> int:
    home = Home.resolve(args.home)
    command = args.command
    if command in COMMANDS:
        if command != "init" and not ident.exists(home):
            raise UserError(
                f"no identity in {_shown(str(home.path))}: run `p2pshare init --name NAME` first"
            )
        setup_logging(home)
        return COMMANDS[command](home, args)
    if command is None:
        # The app lives in tui/, which p2pshare/ never imports (DESIGN §3): the
        # console script (tui.launch:main) opens it before reaching this point.
        raise UserError("the app is opened by the `p2pshare` command (or `python -m tui`)")
    raise UserError(f"`{command}` is not available yet")
