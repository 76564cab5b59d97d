"""`init` and `profile set`: who this member is.

`init` creates the identity (keys, optionally under a passphrase), shows its
recovery words once and signs the first profile; `init --recover` restores an
identity from those words; `init --join` pairs a new device with a member
(device_commands.py); `profile set` signs a new profile only when something changes.
stdout carries only what a script needs (the member id, the record id); the
guidance for a person goes to stderr.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from p2pshare.cli.failures import UsageError
from p2pshare.cli.member_access import new_passphrase, open_member, passphrase_prompt
from p2pshare.cli.printing import out
from p2pshare.errors import UserError
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member, create_member
from p2pshare.member.home import ensure_listen
from p2pshare.member.recovery import MAX_TEXT, identity_from_words, paper, words_for
from p2pshare.store import Store
from protocol import normalize_skills

if TYPE_CHECKING:
    import argparse

    from p2pshare.member.home import Home
    from p2pshare.member.identity import Identity


def cmd_init(home: Home, args: argparse.Namespace) -> int:
    if ident.exists(home):
        raise UserError(f"{home.path} already has an identity; nothing was changed")
    if args.join is not None:
        if args.recover or args.name is not None:
            raise UsageError("init --join takes the member's profile: no --name or --recover")
        from p2pshare.cli.device_commands import join_home

        member_id = join_home(home, args)
        out(member_id)
        return 0
    if args.recover:
        identity = _recover(home, args)
    else:
        if args.name is None:
            raise UsageError("init needs --name (or --recover, to restore an identity)")
        identity = create_member(
            home,
            name=args.name,
            headline=args.headline,
            skills=args.skills,
            region=args.region,
            passphrase=new_passphrase() if args.passphrase else None,
        )
        # Shown once, never stored in a log or sent anywhere: the one way back after a
        # lost laptop. stderr, so stdout stays the member id alone for scripts.
        print(
            "Write these words on paper and keep them somewhere safe. They are the only\n"
            "way to restore you on a new machine (p2pshare init --recover), and anyone\n"
            "who reads them can act as you. They are not shown again.\n\n"
            f"{paper(words_for(identity))}\n",
            file=sys.stderr,
        )
    ensure_listen(home)  # the port kept in config.toml: invites outlive restarts
    out(identity.member_id)  # stdout stays the id alone, for scripts; the rest to stderr
    flag = "" if args.home is None else f" --home {args.home}"
    print(
        f"Your identity is in {home.path}. Next:\n"
        f"  p2pshare{flag}                       open the app\n"
        f"  p2pshare{flag} --peer INVITE         join through a member's invite\n"
        f"  p2pshare{flag} invite                your own invite, once a node runs",
        file=sys.stderr,
    )
    return 0


def _recover(home: Home, args: argparse.Namespace) -> Identity:
    """`init --recover`: the words from stdin, the same keys written into this home.

    Records come back from the network: the first sync with any member who holds
    them restores offers, vouches and history. A profile is signed only when
    --name (or another profile option) is given; otherwise the newest one on the
    network stays the member's.
    """
    if sys.stdin.isatty():
        print(
            "Type your recovery words (24 or 48), then an empty line:",
            file=sys.stderr,
        )
        lines: list[str] = []
        for line in sys.stdin:
            if not line.strip() and lines:
                break
            lines.append(line)
        text = "".join(lines)
    else:
        text = sys.stdin.read(MAX_TEXT + 1)
    identity = identity_from_words(text)
    ident.restore(home, identity, passphrase=new_passphrase() if args.passphrase else None)
    print(f"Restored member {identity.member_id}: check it is yours.", file=sys.stderr)
    if args.name is not None:
        with Store.open(home.store_file) as store:
            Member(home, identity, store).set_profile(
                name=args.name.strip(),
                headline=args.headline,
                skills=args.skills,
                region=args.region,
                available=True,
            )
    return identity


def cmd_recovery_words(home: Home, args: argparse.Namespace) -> int:
    """The words `init` showed, again: for a member who lost the paper, and for a
    home made before recovery words existed (48 words). Whoever can run this can
    read identity.pem too, so it gives away nothing the home does not."""
    from p2pshare.member.devices import load_membership

    identity = ident.load(home, passphrase_prompt)
    if not load_membership(home, identity).is_root:
        raise UserError(
            "this home is a device of its member, not its root: the root's words are the "
            "backup (shown by `init` or `device rotate-root` on the home that made them)"
        )
    words = words_for(identity)
    print(
        "Anyone who reads these words can act as you. Keep them on paper, offline.",
        file=sys.stderr,
    )
    out(paper(words))
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
    member = open_member(home)
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
    out(env.id.hex())
    return 0
