"""The `p2pshare` console script: the app when no subcommand is given, else the CLI.

p2pshare/ never imports tui/ (DESIGN §3), so the dispatch lives here: the
arguments are parsed by p2pshare.cli.main's parser, the app opens for a bare
`p2pshare [--home DIR] [--peer …] [--no-mdns] [--community NAME]`, and every
subcommand goes to p2pshare.cli.main.main unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from p2pshare.cli.main import build_parser
from p2pshare.cli.main import main as cli_main


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(args_list)
    if args.command is not None:
        return cli_main(args_list)
    return run_app(args.home, peers=args.peer, mdns=not args.no_mdns, community=args.community)


def run_app(
    home_dir: str | None,
    *,
    peers: Sequence[str] = (),
    mdns: bool = True,
    community: str | None = None,
) -> int:
    from p2pshare.member.home import Home, setup_logging
    from p2pshare.service.api import NetworkOptions

    from .app import P2PShareApp

    home = Home.resolve(home_dir)
    setup_logging(home)  # logs to the home's file, never over the screen
    network = NetworkOptions(peers=tuple(peers), mdns=mdns, community=community)
    P2PShareApp(home, network=network).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
