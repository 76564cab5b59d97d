"""`init` and `profile set`: who this member is.

`init` creates the identity (keys, optionally under a passphrase) and signs the
first profile; `profile set` signs a new profile only when something changes.
stdout carries only what a script needs (the member id, the record id); the
guidance for a person goes to stderr.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from p2pshare.cli.failures import UsageError
from p2pshare.cli.member_access import new_passphrase, open_member
from p2pshare.cli.printing import out
from p2pshare.errors import UserError
from p2pshare.member import identity as ident
from p2pshare.member.actions import create_member
from p2pshare.member.home import ensure_listen
from protocol import normalize_skills

if TYPE_CHECKING:
    import argparse

    from p2pshare.member.home import Home


def cmd_init(home: Home, args: argparse.Namespace) -> int:
    if ident.exists(home):
        raise UserError(f"{home.path} already has an identity; nothing was changed")
    identity = create_member(
        home,
        name=args.name,
        headline=args.headline,
        skills=args.skills,
        region=args.region,
        passphrase=new_passphrase() if args.passphrase else None,
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
