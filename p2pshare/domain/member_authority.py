"""One member's authority over time, derived from its device, unlink and rotate records.

The rules of docs/PROTOCOL.md §Members and devices for a single member id: the
roots in turn (rotations, or a dispute that ends root authority), which unlinks
count (the root's first, then the devices', judged against the root's alone),
and which certificates are valid (the least set that the root's authority
reaches, through managing devices, at each certificate's date). Every step is a
function of the member's record set, never of arrival order.

Which member a key belongs to (the keys' consents) is the caller's: `derive`
takes `owns`, true for the keys that may be this member's devices or roots.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from protocol import Device, Envelope, PublicKey, RecordId, Rotate, Unlink

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

NEVER = 2**63  # later than any date: a device never unlinked, a root never rotated away


@dataclass(frozen=True, slots=True)
class RootSpan:
    """A root key and the dates it held root authority: since <= t < until."""

    key: PublicKey
    since: int
    until: int  # NEVER while it still holds it
    rotation: RecordId | None  # the rotation that made it root; None for the member id's key


@dataclass(frozen=True, slots=True)
class DeviceView:
    """A device of the member: its records dated certified_at <= t < unlinked_from count."""

    key: PublicKey
    label: str  # from its latest valid certificate
    certified_at: int  # the date of its earliest valid certificate
    certified_by: PublicKey  # that certificate's author
    certificate: RecordId
    unlinked_from: int  # the earliest valid_until of the unlinks that count; NEVER if none
    unlinked_by: PublicKey | None
    unlink: RecordId | None
    reason: str  # the counting unlink's reason
    manage_from: int  # its earliest valid managing certificate's date; NEVER if none

    @property
    def manage(self) -> bool:
        """Whether a valid certificate lets it certify and unlink the member's devices."""
        return self.manage_from != NEVER

    def signs_at(self, at: int) -> bool:
        return self.certified_at <= at < self.unlinked_from

    def manages_at(self, at: int) -> bool:
        return self.manage_from <= at < self.unlinked_from


@dataclass(frozen=True, slots=True)
class MemberAuthority:
    """Everything the member's records establish."""

    member: PublicKey
    roots: tuple[RootSpan, ...]  # in order; the last may hold it until NEVER
    disputed_from: int | None  # two rotations from one root: no root from then on
    devices: tuple[DeviceView, ...]  # keys with a valid certificate, by (certified_at, key)
    void: tuple[PublicKey, ...]  # keys this member certified, none of whose certificates holds

    def root_at(self, at: int) -> PublicKey | None:
        for span in self.roots:
            if span.since <= at < span.until:
                return span.key
        return None

    def device(self, key: PublicKey) -> DeviceView | None:
        for view in self.devices:
            if view.key == key:
                return view
        return None


def derive(
    member: PublicKey, records: Iterable[Envelope], owns: Callable[[PublicKey], bool]
) -> MemberAuthority:
    """The member's authority from the records naming it as `member` (others ignored)."""
    certificates: list[Envelope] = []
    unlinks: list[Envelope] = []
    rotations: list[Envelope] = []
    for env in sorted(records, key=lambda e: (e.created_at, e.id)):
        body = env.body
        if isinstance(body, Device | Unlink | Rotate) and body.member == member:
            {Device: certificates, Unlink: unlinks, Rotate: rotations}[type(body)].append(env)
    roots, disputed_from = _roots(member, rotations, owns)
    authority = MemberAuthority(member, roots, disputed_from, (), ())
    by_root = [u for u in unlinks if authority.root_at(u.created_at) == u.author]
    # A device's unlink is judged against the root's unlinks alone: no device can
    # disarm another's unlink, only the root can (by unlinking its author first).
    judged = {view.key: view for view in _devices(authority, certificates, by_root, owns)}
    rooted = {u.id for u in by_root}
    by_devices = [u for u in unlinks if u.id not in rooted and _may_unlink(judged, u)]
    final = _devices(authority, certificates, by_root + by_devices, owns)
    certified = {_body(c, Device).device for c in certificates if owns(_body(c, Device).device)}
    holding = {view.key for view in final}
    void = tuple(sorted(certified - holding))
    return MemberAuthority(member, roots, disputed_from, final, void)


_B = TypeVar("_B", Device, Unlink, Rotate)


def _body(env: Envelope, kind: type[_B]) -> _B:
    body = env.body
    assert isinstance(body, kind)
    return body


def _roots(
    member: PublicKey, rotations: list[Envelope], owns: Callable[[PublicKey], bool]
) -> tuple[tuple[RootSpan, ...], int | None]:
    """The roots in turn. From root r (holding since s), the rotations r signed dated
    s or later, to a key the member owns that was never its root, decide: none, r
    keeps it; all to one key, the earliest passes it on; to two keys or more, the
    member is disputed from the earliest of them and nobody holds it after."""
    spans: list[RootSpan] = []
    root, since, made_by = member, 0, None
    seen = {member}
    while True:
        moves = [
            env
            for env in rotations
            if env.author == root
            and env.created_at >= since
            and (new := _body(env, Rotate).new_root) not in seen
            and owns(new)
        ]
        if not moves:
            spans.append(RootSpan(root, since, NEVER, made_by))
            return tuple(spans), None
        first = moves[0]  # rotations are in (created_at, id) order
        spans.append(RootSpan(root, since, first.created_at, made_by))
        if len({_body(env, Rotate).new_root for env in moves}) > 1:
            return tuple(spans), first.created_at
        root, since, made_by = _body(first, Rotate).new_root, first.created_at, first.id
        seen.add(root)


def _devices(
    authority: MemberAuthority,
    certificates: list[Envelope],
    unlinks: list[Envelope],
    owns: Callable[[PublicKey], bool],
) -> tuple[DeviceView, ...]:
    """The devices under `unlinks`: the least set of valid certificates, where one is
    valid when its author is the root at its date, or a device with a valid
    managing certificate dated no later, not unlinked by then."""
    ends: dict[PublicKey, Envelope] = {}
    for env in unlinks:  # the earliest valid_until wins, then record order
        device = _body(env, Unlink).device
        held = ends.get(device)
        if held is None or _body(env, Unlink).valid_until < _body(held, Unlink).valid_until:
            ends[device] = env

    def end(key: PublicKey) -> int:
        return _body(ends[key], Unlink).valid_until if key in ends else NEVER

    valid: list[Envelope] = []
    managing: dict[PublicKey, int] = {}  # device -> date of its earliest valid managing cert
    pending = [c for c in certificates if owns(_body(c, Device).device)]
    grew = True
    while grew:  # certificates in date order: a chain settles in one pass, ties in a few
        grew = False
        for env in list(pending):
            at, author = env.created_at, env.author
            if authority.root_at(at) == author or managing.get(author, NEVER) <= at < end(author):
                pending.remove(env)
                valid.append(env)
                body = _body(env, Device)
                if body.manage and at < managing.get(body.device, NEVER):
                    managing[body.device] = at
                grew = True
    views = [
        _view(key, group, ends.get(key), managing.get(key, NEVER))
        for key, group in _by_device(valid).items()
    ]
    return tuple(sorted(views, key=lambda v: (v.certified_at, v.key)))


def _by_device(valid: list[Envelope]) -> dict[PublicKey, list[Envelope]]:
    groups: dict[PublicKey, list[Envelope]] = {}
    for env in sorted(valid, key=lambda e: (e.created_at, e.id)):
        groups.setdefault(_body(env, Device).device, []).append(env)
    return groups


def _view(
    key: PublicKey, certificates: list[Envelope], unlink: Envelope | None, manage_from: int
) -> DeviceView:
    first, latest = certificates[0], certificates[-1]
    gone = _body(unlink, Unlink) if unlink is not None else None
    return DeviceView(
        key=key,
        label=_body(latest, Device).label,
        certified_at=first.created_at,
        certified_by=first.author,
        certificate=first.id,
        unlinked_from=gone.valid_until if gone is not None else NEVER,
        unlinked_by=unlink.author if unlink is not None else None,
        unlink=unlink.id if unlink is not None else None,
        reason=gone.reason if gone is not None else "",
        manage_from=manage_from,
    )


def _may_unlink(devices: dict[PublicKey, DeviceView], env: Envelope) -> bool:
    """A device may unlink itself, or, while it manages, any device of the member."""
    author = devices.get(env.author)
    if author is None:
        return False
    if author.key == _body(env, Unlink).device:
        return author.signs_at(env.created_at)
    return author.manages_at(env.created_at)
