"""The `p2pshare` console script: the app when no subcommand is given, else the CLI.

p2pshare/ never imports tui/ (DESIGN §3), so the dispatch lives here: the
arguments are parsed by p2pshare.cli.main's parser, the app opens for a bare
`p2pshare [--home DIR] [--peer …] [--no-mdns] [--community NAME]`, and every
subcommand goes to p2pshare.cli.main.main unchanged.

This is also where the app meets the real node: `LocalHome` is the `HomePort`
over a home on this machine, and opens a `NodeAPI` (built when the app opens
it, after the first paint: lazy_node.py). It is the one module of
tui/ that imports p2pshare's service and member code; the rest knows only
p2pshare.service.port. Those imports wait until they are needed, so the CLI
path stays light.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from p2pshare.cli.main import build_parser
from p2pshare.cli.main import main as cli_main

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from p2pshare.member.home import Home
    from p2pshare.service.port import NodePort


class LocalHome:
    """The real HomePort: a member's home on this machine; its node is a NodeAPI."""

    def __init__(
        self,
        home: Home,
        *,
        listen: Sequence[str] = (),
        peers: Sequence[str] = (),
        mdns: bool = True,
        community: str | None = None,
        clock: Callable[[], float] | None = None,
        freeze_heap: bool = False,
    ) -> None:
        self.home = home
        self._freeze_heap = freeze_heap  # the app's own process only (see NodeCore)
        self._listen, self._peers, self._mdns = tuple(listen), tuple(peers), mdns
        self._community = community
        self._clock = clock  # a fixed clock for tests and snapshots; None = time.time

    @property
    def path(self) -> Path:
        return self.home.path

    @property
    def community(self) -> str:
        return self._community or ""

    def has_identity(self) -> bool:
        from p2pshare.member import identity

        return identity.exists(self.home)

    def needs_passphrase(self) -> bool:
        from p2pshare.member import identity

        return identity.is_encrypted(self.home) and identity.passphrase_from_env() is None

    def create_identity(
        self, *, name: str, headline: str, skills: Sequence[str], passphrase: bytes | None
    ) -> str:
        from p2pshare.service.api import create_identity

        return create_identity(
            self.home, name=name, headline=headline, skills=skills, passphrase=passphrase
        )

    def recovery_words(self, passphrase: bytes | None) -> list[str]:
        from p2pshare.service.api import recovery_words

        return recovery_words(self.home, passphrase)

    def node(self, *, passphrase: bytes | None, peers: Sequence[str] = ()) -> NodePort:
        """The home's NodeAPI, built when the app opens it: its imports take longer
        than the app's first paint, and run in a thread (lazy_node.py)."""
        from .lazy_node import LazyNode

        def build() -> NodePort:
            from p2pshare.member import identity
            from p2pshare.service.api import NetworkOptions, NodeAPI

            def ask() -> bytes | None:
                return passphrase if passphrase is not None else identity.passphrase_from_env()

            network = NetworkOptions(
                listen=self._listen,
                peers=(*self._peers, *peers),
                mdns=self._mdns,
                community=self._community,
            )
            return NodeAPI(
                self.home,
                network=network,
                passphrase=ask,
                clock=self._clock,
                freeze_heap=self._freeze_heap,
            )

        return LazyNode(build)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(args_list)
    if args.command is not None:
        return cli_main(args_list)
    return run_app(
        args.home,
        peers=args.peer,
        listen=args.listen,
        mdns=not args.no_mdns,
        community=args.community,
    )


def run_app(
    home_dir: str | None,
    *,
    peers: Sequence[str] = (),
    listen: Sequence[str] = (),
    mdns: bool = True,
    community: str | None = None,
) -> int:
    from p2pshare.member.home import Home, setup_logging

    from .app import P2PShareApp

    home = Home.resolve(home_dir)
    setup_logging(home)  # logs to the home's file, never over the screen
    local = LocalHome(
        home, listen=listen, peers=peers, mdns=mdns, community=community, freeze_heap=True
    )
    P2PShareApp(local).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
