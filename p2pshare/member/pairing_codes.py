"""The one-time codes a device offers to pair a new device with its member (issue 15).

A pairing code (`7-arctic-velvet-harbor`) is a slot number, said in clear so the
offering node finds the pairing, and three BIP-39 words; the whole code is the
password of the PAKE in net/pairing.py, so one guess per code is all an attacker
gets (3 words: one in 8.6 billion). Offered pairings live in `pairings.json`
(0600, written new then renamed, under `pairings.lock`), so that `p2pshare device
add` reaches a node that already runs on the home (serve, or the app), which
reads the file when a new device knocks and writes each pairing's outcome there
for the command to print. One attempt per code: the first knock on a slot burns
it, right or wrong; a code is good for 10 minutes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from mnemonic import Mnemonic

from p2pshare.errors import UserError
from p2pshare.member.devices import write_private_json

if TYPE_CHECKING:
    from collections.abc import Iterator

    from p2pshare.member.home import Home

PAIRING_SECONDS = 600  # a code is good for 10 minutes
CODE_WORDS = 3
MAX_SLOT = 99
MAX_CODE = 120  # characters: longer text is not a code
_CODE = re.compile(r"([1-9][0-9]?)-([a-z]{3,8})-([a-z]{3,8})-([a-z]{3,8})")
_MAX_OFFERS = 16  # pairings kept in the file, newest last


class PairingError(UserError):
    """A pairing that cannot go on; the message says why, in one line."""


# -- pairing codes ----------------------------------------------------------------------


def new_code(slot: int) -> str:
    """A one-time code: the slot, then three BIP-39 words drawn at random."""
    words = Mnemonic("english").wordlist
    return "-".join([str(slot), *(secrets.choice(words) for _ in range(CODE_WORDS))])


def parse_code(text: str) -> tuple[int, str]:
    """(slot, the code as typed canonically), or PairingError saying what is wrong."""
    if len(text) > MAX_CODE:
        raise PairingError("that is too long to be a pairing code")
    folded = "-".join(text.strip().casefold().replace(" ", "-").split("-"))
    folded = re.sub("-+", "-", folded)
    match = _CODE.fullmatch(folded)
    if match is None:
        raise PairingError(
            "a pairing code is a number and three words, like 7-arctic-velvet-harbor"
        )
    known = set(Mnemonic("english").wordlist)
    for word in match.groups()[1:]:
        if word not in known:
            raise PairingError(f"{word!r} is not a word of pairing codes: check the code")
    return int(match[1]), folded


# -- pairings offered: pairings.json ----------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Offered:
    """A pairing this home offers, and how it went."""

    slot: int
    code: str
    manage: bool
    label: str  # the name to certify the device with ("" : the one it gives)
    expires_at: int
    state: str = "open"  # open | used | paired | failed
    device: str = ""  # the paired device's id
    reason: str = ""  # why it failed

    @property
    def done(self) -> bool:
        return self.state in ("paired", "failed")


@contextlib.contextmanager
def _locked(home: Home) -> Iterator[list[Offered]]:
    """The offered pairings, under an exclusive lock; what the block leaves is written."""
    home.ensure()
    fd = os.open(home.path / "pairings.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        offers = _read(home)
        before = list(offers)
        yield offers
        if offers != before:
            write_private_json(
                home.path / "pairings.json", [asdict(o) for o in offers[-_MAX_OFFERS:]]
            )
    finally:
        os.close(fd)


def _read(home: Home) -> list[Offered]:
    try:
        data = json.loads((home.path / "pairings.json").read_text("utf-8"))
        return [Offered(**item) for item in data if isinstance(item, dict)]
    except (OSError, ValueError, TypeError):
        return []


def offer_pairing(home: Home, *, manage: bool, label: str = "", now: int | None = None) -> Offered:
    """A new code, kept in pairings.json for whichever node runs on this home."""
    now = int(time.time()) if now is None else now
    with _locked(home) as offers:
        used = {o.slot for o in offers if o.expires_at > now and not o.done}
        free = [slot for slot in range(1, MAX_SLOT + 1) if slot not in used]
        if not free:
            raise PairingError("too many pairings are open: wait for one to end")
        slot = secrets.choice(free)
        offered = Offered(
            slot=slot,
            code=new_code(slot),
            manage=manage,
            label=label,
            expires_at=now + PAIRING_SECONDS,
        )
        offers[:] = [o for o in offers if o.slot != slot] + [offered]
    return offered


def take_pairing(home: Home, slot: int, now: int | None = None) -> Offered:
    """Burn the open pairing of `slot` (one attempt per code) and return it; PairingError
    if there is none, it was tried already, or it expired."""
    now = int(time.time()) if now is None else now
    with _locked(home) as offers:
        for index, offered in enumerate(offers):
            if offered.slot != slot:
                continue
            if offered.state != "open":
                raise PairingError("this code was used already: ask for a new one")
            if offered.expires_at <= now:
                offers[index] = replace(offered, state="failed", reason="the code expired")
                raise PairingError("this code has expired: ask for a new one")
            offers[index] = replace(offered, state="used")
            return offered
    raise PairingError("no pairing is offered under this code: check it, or ask for a new one")


def end_pairing(home: Home, slot: int, code: str, *, device: str = "", reason: str = "") -> None:
    """Record how the pairing of `code` ended: paired with `device`, or failed for `reason`."""
    with _locked(home) as offers:
        for index, offered in enumerate(offers):
            if offered.slot == slot and offered.code == code:
                state = "failed" if reason else "paired"
                offers[index] = replace(offered, state=state, device=device, reason=reason)


def pairing_state(home: Home, code: str) -> Offered | None:
    for offered in _read(home):
        if offered.code == code:
            return offered
    return None
