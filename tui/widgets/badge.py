"""A trust badge: the member's standing among those you know ("top 12%", as the command
line writes it), colored by level through modifier classes.

A standing, not the raw 0..1 score: the raw score is relative to your single best
supported peer and jumps when a new one appears (issue 12); a standing moves by at
most one member's share (p2pshare/domain/trust_scale.py).
"""

from __future__ import annotations

from textual.widgets import Static

from ..fmt import trust_level, trust_text


class TrustBadge(Static):
    DEFAULT_CSS = """
    TrustBadge {
        width: auto;
        padding: 0 1;
        text-style: bold;
        &.-trusted { background: $success 30%; color: $success; }
        &.-known { background: $warning 25%; color: $warning; }
        &.-untrusted { background: $error 20%; color: $error; }
        &.-me { background: $primary 30%; color: $primary; }
    }
    """

    def __init__(self, standing: float, *, me: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.standing = standing
        self.me = me

    def on_mount(self) -> None:
        self.set_standing(self.standing, me=self.me)

    def set_standing(self, standing: float, *, me: bool = False) -> None:
        self.standing, self.me = standing, me
        for cls in ("-trusted", "-known", "-untrusted", "-me"):
            self.remove_class(cls)
        self.add_class("-me" if me else trust_level(standing))
        self.update("you" if me else f"trust {trust_text(standing)}")


def trust_markup(standing: float, *, me: bool = False) -> str:
    """The same levels as rich markup, for lines of text (chains, accept lists)."""
    if me:
        return "[b $primary]you[/]"
    color = {"-trusted": "$success", "-known": "$warning", "-untrusted": "$error"}[
        trust_level(standing)
    ]
    return f"[{color}]{trust_text(standing)}[/]"
