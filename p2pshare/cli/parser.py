"""The grammar of the `p2pshare` command line (DESIGN §7): every subcommand and option.

Arguments are checked here, at the edge, before any work: a peer address or
invite, a listen address, a community name, a value, a rating. A bad one is a
usage error on one line, exit 2. Nothing here imports the network stack: the
checks that need it import what they need when they run. Each option's help and
each subcommand's example are filled in afterwards by help_text.py.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from p2pshare import __version__
from p2pshare.cli.failures import EXIT_USAGE, one_line
from p2pshare.cli.help_text import add_help
from p2pshare.errors import UserError

MAX_COMMUNITY_BYTES = 64
_HOME_HELP = "the member's home (default: $P2PSHARE_HOME)"  # before or after the command
ACTIVITY_EXAMPLES = """\
examples:
  p2pshare activity              what needs you first (!), then the history
  p2pshare activity --json | jq '.[] | select(.needs_you)'
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("p2pshare").strip()
        where = f"{command}: " if command else ""
        self.exit(EXIT_USAGE, f"{one_line(f'p2pshare: {where}{message}')} (see --help)\n")


# protocol.value's grammar, for --help (the protocol package is imported only when a
# value is parsed: it loads msgpack and cryptography, which the app's first frame does
# without; issue 10)
VALUE_HELP = (
    "rough value: a whole amount, thousands commas allowed, and an optional "
    "3-letter ISO 4217 currency code, e.g. 5000, 5,000 or '5000 EUR'"
)


def _value(text: str) -> tuple[int, str]:
    from protocol.value import BadValue, parse_value

    try:
        return parse_value(text)
    except BadValue as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _home(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("needs a directory name, not an empty string")
    if "\0" in text:
        raise argparse.ArgumentTypeError("a directory name cannot contain a NUL character")
    return text


def _peer(text: str) -> str:
    """A multiaddr with /p2p/<member id>, or an invite: checked now, kept as given."""
    from p2pshare.net.invite import parse_peer

    try:
        parse_peer(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _listen(text: str) -> str:
    """A multiaddr to listen on, such as /ip4/0.0.0.0/tcp/4001."""
    import multiaddr

    try:
        addr = multiaddr.Multiaddr(text)
    except Exception as exc:  # multiaddr raises a zoo of types on bad input
        raise argparse.ArgumentTypeError(
            f"not a listen address: {text[:80]!r} ({exc}); e.g. /ip4/0.0.0.0/tcp/4001"
        ) from None
    if "/p2p/" in str(addr):
        raise argparse.ArgumentTypeError("a listen address has no /p2p/ part")
    return text


def _community(text: str) -> str:
    from p2pshare.net.invite import check_community

    try:
        return check_community(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _yes_no(value: str) -> bool:
    if value.lower() in {"yes", "y", "true", "1", "on"}:
        return True
    if value.lower() in {"no", "n", "false", "0", "off"}:
        return False
    raise argparse.ArgumentTypeError("expected yes or no")


def _rating(value: str) -> int:
    if value in {"1", "2", "3", "4", "5"}:
        return int(value)
    raise argparse.ArgumentTypeError("a rating is a whole number from 1 to 5")


def _non_negative(value: str) -> int:
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    raise argparse.ArgumentTypeError("expected a whole number, 0 to 999999999")


def _network_options(parser: argparse.ArgumentParser, *, inherit: bool = False) -> None:
    """The node's options; on a subcommand (`inherit`) they keep what was given before it,
    so `p2pshare --peer X serve` and `p2pshare serve --peer X` mean the same."""
    unset = argparse.SUPPRESS if inherit else None
    parser.add_argument(
        "--peer",
        action="append",
        default=unset if inherit else [],
        type=_peer,
        metavar="MADDR|INVITE",
        help="a peer to dial: a multiaddr with /p2p/ID, or an invite string (repeatable)",
    )
    parser.add_argument(
        "--listen",
        action="append",
        default=unset if inherit else [],
        type=_listen,
        metavar="MADDR",
        help="listen here instead of the address kept in the home's config.toml (repeatable)",
    )
    parser.add_argument(
        "--no-mdns",
        action="store_true",
        default=unset if inherit else False,
        help="do not look for peers on the LAN",
    )
    parser.add_argument(
        "--community",
        default=unset,
        type=_community,
        help=f"the community topic to join (at most {MAX_COMMUNITY_BYTES} bytes)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="p2pshare",
        description="Pass business opportunities you cannot serve to people you trust.",
    )
    parser.add_argument("--version", action="version", version=f"p2pshare {__version__}")
    parser.add_argument("--home", default=None, type=_home, help=_HOME_HELP)
    _network_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help="create this member's identity and profile")
    p.add_argument("--name", help="your name as members see it (needed unless --recover)")
    p.add_argument("--skills", type=_csv, default=[])
    p.add_argument("--headline", default="")
    p.add_argument("--region", default="")
    p.add_argument(
        "--passphrase",
        action="store_true",
        help="encrypt the key with a passphrase (asked, or $P2PSHARE_PASSPHRASE)",
    )
    p.add_argument(
        "--recover",
        action="store_true",
        help="restore your identity from the words `init` showed you (read from stdin)",
    )
    p.add_argument(
        "--join",
        metavar="CODE",
        help="make this machine a device of a member: the code `device add` printed",
    )
    p.add_argument("--label", help="this device's name for its member (default: the host name)")
    _network_options(p, inherit=True)

    sub.add_parser(
        "recovery-words", help="print the words that restore you on a new machine (init --recover)"
    )

    p = sub.add_parser("id", help="member id, addresses and invite code")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("serve", help="run the node without the app, until interrupted")
    _network_options(p, inherit=True)
    p.add_argument(
        "--relay",
        action="store_true",
        help="also relay for members behind NAT (within limits; see the README)",
    )

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

    _add_offer_commands(sub)

    p = sub.add_parser("vouch", help="endorse a member, optionally for skills")
    p.add_argument("member", metavar="MEMBER")
    p.add_argument("--skill", action="append", default=[])
    p.add_argument("--note", default="")
    p = sub.add_parser("revoke", help="take back one of your vouches")
    p.add_argument("vouch", metavar="VOUCH")

    _add_device_commands(sub)

    for name, text in (
        ("offers", "the feed: offers you hold, best first"),
        ("peers", "every member you know, with trust"),
        ("stats", "your return on sharing"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--json", action="store_true")
        if name == "offers":
            p.add_argument("--all", action="store_true", help="include closed and expired offers")
    p = sub.add_parser(
        "activity",
        help="what needs you, and what became of what you passed on",
        epilog=ACTIVITY_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print the items as JSON (README §JSON)")
    p = sub.add_parser("show", help="an offer, its chain and its hand-offs")
    p.add_argument("offer", metavar="OFFER")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("trust", help="how much you trust a member, and why")
    p.add_argument("member", metavar="MEMBER")
    p.add_argument("--explain", action="store_true")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser(
        "export",
        help="write every signed record to a file",
        description="Write every signed record to FILE (a temporary file, then renamed). "
        "FILE may not be inside the home, a directory or a device, and an existing "
        "file is replaced only with --force.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
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
    _home_after_the_command(parser)
    add_help(parser)
    return parser


def _add_offer_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    """`offer ACTION`: post an offer, and every step it takes after."""
    offer = sub.add_parser("offer", help="post and move offers").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    p = offer.add_parser("post", help="post an opportunity you cannot serve")
    p.add_argument("--title", required=True)
    p.add_argument("--body", default="")
    p.add_argument("--skills", type=_csv, default=[])
    p.add_argument("--region", default="")
    p.add_argument("--remote", action="store_true", help="the work can be done remotely")
    p.add_argument("--value", type=_value, default=(0, ""), metavar="V", help=VALUE_HELP)
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
    p.add_argument(
        "--value",
        type=_value,
        default=(0, ""),
        metavar="V",
        help=VALUE_HELP + "; a currency must be the offer's",
    )
    p.add_argument("--to", metavar="MEMBER", help="which hand-off, when there are several")
    p.add_argument("--note", default="")
    p.add_argument(
        "--credit",
        action="append",
        metavar="MEMBER",
        help="a forwarder to credit as connector (repeatable; default: those you trust)",
    )
    p.add_argument("--no-credit", action="store_true", help="credit no forwarder")
    p = offer.add_parser("reply", help='dispute a "not fulfilled" about your hand-off')
    p.add_argument("offer", metavar="OFFER")
    p.add_argument("--note", required=True, help="your side, shown with the outcome")
    p.add_argument("--rating", type=_rating, default=0)
    p = offer.add_parser(
        "decline",
        help='"not for me": turn down an offer forwarded to you; tells the forwarder',
        epilog="example:\n  p2pshare offer decline 3fa2c1 --note 'not my field; try Dana'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("offer", metavar="OFFER", help="offer id or a unique prefix of it")
    p.add_argument("--note", default="", help="why, for the forwarder only (sealed to them)")
    p = offer.add_parser(
        "say",
        help="a message in the offer's conversation (sealed to its participants)",
        epilog="examples:\n  p2pshare offer say 3fa2c1 'Is the date fixed?'\n"
        "  p2pshare offer say 3fa2c1 --list        the conversation so far",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("offer", metavar="OFFER", help="offer id or a unique prefix of it")
    p.add_argument("text", metavar="TEXT", nargs="?", default=None, help="the message")
    p.add_argument("--list", action="store_true", help="print the conversation instead")
    p.add_argument("--json", action="store_true", help="with --list: as JSON (README §JSON)")
    p = offer.add_parser("withdraw", help="take your offer back")
    p.add_argument("offer", metavar="OFFER")
    p.add_argument("--reason", default="")


def _add_device_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    device = sub.add_parser("device", help="this member's devices: add, list, revoke, rotate-root")
    actions = device.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = actions.add_parser("add", help="print a one-time code that pairs a new device")
    p.add_argument("--manage", action="store_true", help="it may add and revoke devices too")
    p.add_argument("--label", help="its name (default: the one the new device gives)")
    _network_options(p, inherit=True)
    p = actions.add_parser("list", help="this member's devices")
    p.add_argument("--json", action="store_true")
    p = actions.add_parser("revoke", help="unlink a lost or retired device")
    p.add_argument("device", metavar="DEVICE", help="a device id, or a unique prefix of it")
    p.add_argument("--reason", default="")
    p.add_argument(
        "--since",
        metavar="DATE",
        help="refuse its records from this date on (default: now), e.g. 2026-03-01",
    )
    p = actions.add_parser("rotate-root", help="a new root key (new words), this home a device")
    p.add_argument("--label", help="this home's name as a device (default: the host name)")


def _home_after_the_command(parser: argparse.ArgumentParser) -> None:
    """`--home` is accepted after the subcommand too (`p2pshare offers --home DIR`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if "--home" not in child._option_string_actions:
                    child.add_argument(
                        "--home",
                        default=argparse.SUPPRESS,
                        type=_home,
                        help=_HOME_HELP,
                    )
                _home_after_the_command(child)
