"""Which function runs a parsed command line, and what every command needs first.

Every subcommand but `init` and `demo` needs an identity in the home, and logs to
the home's log file (never to the terminal); `demo` makes homes of its own. The
app itself is opened by the console script (tui.launch) before this is reached.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from p2pshare.cli.activity import cmd_activity
from p2pshare.cli.device_commands import cmd_device
from p2pshare.cli.file_commands import cmd_export, cmd_import
from p2pshare.cli.identity_commands import cmd_init, cmd_profile, cmd_recovery_words
from p2pshare.cli.member_commands import cmd_mark, cmd_revoke, cmd_vouch
from p2pshare.cli.node_commands import cmd_id, cmd_invite, cmd_serve
from p2pshare.cli.offer_commands import cmd_offer
from p2pshare.cli.printing import shown
from p2pshare.cli.view_commands import cmd_offers, cmd_peers, cmd_show, cmd_stats, cmd_trust
from p2pshare.errors import UserError
from p2pshare.member import identity as ident
from p2pshare.member.home import Home, setup_logging

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

COMMANDS: dict[str, Callable[[Home, argparse.Namespace], int]] = {
    "init": cmd_init,
    "recovery-words": cmd_recovery_words,
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
    "device": cmd_device,
}


def run(args: argparse.Namespace) -> int:
    """Run the subcommand `args` names; its result is the exit code."""
    command = args.command
    if command == "demo":
        from p2pshare.demo.launch import run_demo

        return run_demo(
            peers=args.peers,
            directory=demo_dir(args.dir),
            headless=args.headless,
            say=lambda line: print(line, flush=True),
        )
    home = Home.resolve(args.home)
    if command in COMMANDS:
        if command != "init" and not ident.exists(home):
            raise UserError(
                f"no identity in {shown(str(home.path))}: run `p2pshare init --name NAME` first"
            )
        setup_logging(home)
        return COMMANDS[command](home, args)
    if command is None:
        # The app lives in tui/, which p2pshare/ never imports (DESIGN §3): the
        # console script (tui.launch:main) opens it before reaching this point.
        raise UserError("the app is opened by the `p2pshare` command (or `python -m tui`)")
    raise UserError(f"`{command}` is not available yet")


def demo_dir(text: str | None) -> str | None:
    """`demo --dir`: a directory the demo can keep its homes in (created if missing)."""
    if text is None:
        return None
    if not text:
        raise UserError("--dir needs a directory name, not an empty string")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UserError(f"--dir {shown(text)} is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".p2pshare-probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise UserError(f"cannot keep the demo in {shown(text)}: {exc.strerror}") from None
    return text
