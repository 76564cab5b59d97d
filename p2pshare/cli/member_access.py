"""The member a command acts as, and the other members it names.

Opening a home's member asks for the key's passphrase only if the key is
encrypted and then from $P2PSHARE_PASSPHRASE, else from a person at a terminal;
`init --passphrase` chooses a new one the same way. A MEMBER argument that names
this member is refused in words ("… is you"), not with a bare "not found".
"""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

from p2pshare.cli.printing import shown
from p2pshare.errors import NotFound, UserError
from p2pshare.member import identity as ident
from p2pshare.member.actions import Member
from p2pshare.store import StoreError
from protocol import member_id

if TYPE_CHECKING:
    from p2pshare.member.home import Home
    from protocol import PublicKey


def passphrase_prompt() -> bytes | None:
    """The passphrase of an encrypted key: $P2PSHARE_PASSPHRASE, or asked at a terminal."""
    if (env := ident.passphrase_from_env()) is not None:
        return env
    if not sys.stdin.isatty():
        return None
    return getpass.getpass("Passphrase: ").encode() or None


def open_member(home: Home) -> Member:
    """The home's member, its key unlocked; a store that cannot be opened says why."""
    try:
        return Member.open(home, passphrase=passphrase_prompt)
    except StoreError as exc:
        raise UserError(str(exc)) from None


def new_passphrase() -> bytes:
    """The passphrase `init --passphrase` encrypts the new key with: from the
    environment, or typed twice at a terminal; never empty."""
    passphrase = ident.passphrase_from_env()
    if passphrase is not None:
        return passphrase
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
    return passphrase


def other_member(member: Member, text: str, doing: str) -> PublicKey:
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
            raise UserError(f"{shown(wanted)} is you: you cannot {doing} yourself") from None
        raise
    if member_id(key) == me:
        raise UserError(f"{shown(text.strip())} is you: you cannot {doing} yourself")
    return key
