"""The `p2pshare` command line (DESIGN §7): the app, the node, and every action.

Parsing lives here; each subcommand's work is a function in commands.py. Errors
become one line on stderr and a non-zero exit; nothing here imports the
network stack unless the subcommand runs a node.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from p2pshare import __version__
from p2pshare.errors import UserError

EXIT_USAGE = 2
EXIT_FAILED = 1


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _yes_no(value: str) -> bool:
    if value.lower() in {"yes", "y", "true", "1", "on"}:
        return True
    if value.lower() in {"no", "n", "false", "0", "off"}:
        return False
    raise argparse.ArgumentTypeError("expected yes or no")


def _rating(value: str) -> int:
    if value.isdigit() and 1 <= int(value) <= 5:
        return int(value)
    raise argparse.ArgumentTypeError("a rating is a whole number from 1 to 5")


def _non_negative(value: str) -> int:
    if value.isdigit():
        return int(value)
    raise argparse.ArgumentTypeError("expected a whole number, 0 or more")


def _network_options(parser: argparse.ArgumentParser, *, inherit: bool = False) -> None:
    """The node's options; on a subcommand (`inherit`) they keep what was given before it,
    so `p2pshare --peer X serve` and `p2pshare serve --peer X` mean the same."""
    unset = argparse.SUPPRESS if inherit else None
    parser.add_argument(
        "--peer",
        action="append",
        default=unset if inherit else [],
        metavar="MADDR|INVITE",
        help="a peer to dial: a multiaddr with /p2p/ID, or an invite string (repeatable)",
    )
    parser.add_argument(
        "--no-mdns",
        action="store_true",
        default=unset if inherit else False,
        help="do not look for peers on the LAN",
    )
    parser.add_argument("--community", default=unset, help="the community topic to join")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="p2pshare",
        description="Pass business opportunities you cannot serve to people you trust.",
    )
    parser.add_argument("--version", action="version", version=f"p2pshare {__version__}")
    parser.add_argument("--home", default=None, help="the member's home (default: $P2PSHARE_HOME)")
    _network_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create this member's identity and profile")
    p.add_argument("--name", required=True)
    p.add_argument("--skills", type=_csv, default=[])
    p.add_argument("--headline", default="")
    p.add_argument("--region", default="")
    p.add_argument(
        "--passphrase",
        action="store_true",
        help="encrypt the key with a passphrase (asked, or $P2PSHARE_PASSPHRASE)",
    )

    p = sub.add_parser("id", help="member id, addresses and invite code")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("serve", help="run the node without the app, until interrupted")
    p.add_argument("--listen", action="append", default=[], metavar="MADDR")
    _network_options(p, inherit=True)

    sub.add_parser("invite", help="print an invite string for this node")

    profile = sub.add_parser("profile", help="this member's profile").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = profile.add_parser("set", help="change name, skills, headline, region or availability")
    p.add_argument("--name")
    p.add_argument("--skills", type=_csv)
    p.add_argument("--headline")
    p.add_argument("--region")
    p.add_argument("--available", type=_yes_no, metavar="yes|no")

    offer = sub.add_parser("offer", help="post and move offers").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = offer.add_parser("post", help="post an opportunity you cannot serve")
    p.add_argument("--title", required=True)
    p.add_argument("--body", default="")
    p.add_argument("--skills", type=_csv, default=[])
    p.add_argument("--region", default="")
    p.add_argument("--remote", action="store_true", help="the work can be done remotely")
    p.add_argument("--value", default="", help="rough value, e.g. 5000 or '5000 USD'")
    p.add_argument("--expires", type=_non_negative, default=30, metavar="DAYS")
    p.add_argument("--contact", default="", help="private: revealed only to whom it is handed")
    p = offer.add_parser("forward", help="pass an offer to a member, or to the network")
    p.add_argument("offer", metavar="OFFER")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", metavar="MEMBER")
    target.add_argument("--network", action="store_true")
    p.add_argument("--note", default="")
    p = offer.add_parser("accept", help="ask for an offer's hand-off: I'll take it")
    p.add_argument("offer", metavar="OFFER")
    p.add_argument("--note", default="")
    p = offer.add_parser("handoff", help="give your offer to a member who accepted it")
    p.add_argument("offer", metavar="OFFER")
    p.add_argument("--to", required=True, metavar="MEMBER")
    p = offer.add_parser("outcome", help="report how a hand-off of your offer went")
    p.add_argument("offer", metavar="OFFER")
    done = p.add_mutually_exclusive_group(required=True)
    done.add_argument("--fulfilled", dest="fulfilled", action="store_true", default=None)
    done.add_argument("--not-fulfilled", dest="fulfilled", action="store_false")
    p.add_argument("--rating", type=_rating, default=0)
    p.add_argument("--value", type=_non_negative, default=0)
    p.add_argument("--to", metavar="MEMBER", help="which hand-off, when there are several")
    p.add_argument("--note", default="")
    p = offer.add_parser("withdraw", help="take your offer back")
    p.add_argument("offer", metavar="OFFER")
    p.add_argument("--reason", default="")

    p = sub.add_parser("vouch", help="endorse a member, optionally for skills")
    p.add_argument("member", metavar="MEMBER")
    p.add_argument("--skill", action="append", default=[])
    p.add_argument("--note", default="")
    p = sub.add_parser("revoke", help="take back one of your vouches")
    p.add_argument("vouch", metavar="VOUCH")

    for name, text in (
        ("offers", "the feed: offers you hold, best first"),
        ("peers", "every member you know, with trust"),
        ("stats", "your return on sharing"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--json", action="store_true")
        if name == "offers":
            p.add_argument("--all", action="store_true", help="include closed and expired offers")
    p = sub.add_parser("show", help="an offer, its chain and its hand-offs")
    p.add_argument("offer", metavar="OFFER")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("trust", help="how much you trust a member, and why")
    p.add_argument("member", metavar="MEMBER")
    p.add_argument("--explain", action="store_true")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("export", help="write every signed record to a file")
    p.add_argument("file", metavar="FILE")
    p = sub.add_parser("import", help="verify and add the records of an export file")
    p.add_argument("file", metavar="FILE")
    for name, text in (("mute", "hide a member's offers"), ("block", "ignore a member entirely")):
        p = sub.add_parser(name, help=text)
        p.add_argument("member", metavar="MEMBER")
        p.add_argument("--undo", action="store_true")

    p = sub.add_parser("demo", help="a local network of live peers, and the app")
    p.add_argument("--peers", type=_non_negative, default=6)
    p.add_argument("--dir", default=None, help="keep the demo's homes here (default: temporary)")
    p.add_argument("--headless", action="store_true", help="run the network without the app")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from p2pshare.cli import commands

    try:
        if args.command == "demo":
            from p2pshare.demo.launch import run_demo

            return run_demo(
                peers=args.peers,
                directory=args.dir,
                headless=args.headless,
                say=lambda line: print(line, flush=True),
            )
        return commands.run(args)
    except UserError as exc:
        print(f"p2pshare: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
