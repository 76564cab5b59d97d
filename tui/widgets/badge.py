"""A trust badge: the score, colored by level through modifier classes."""

from __future__ import annotations

from textual.widgets import Static

from ..fmt import trust_level


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

    def __init__(self, score: float, *, me: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.score = score
        self.me = me

    def on_mount(self) -> None:
        self.set_score(self.score, me=self.me)

    def set_score(self, score: float, *, me: bool = False) -> None:
        self.score, self.me = score, me
        for cls in ("-trusted", "-known", "-untrusted", "-me"):
            self.remove_class(cls)
        self.add_class("-me" if me else trust_level(score))
        self.update("you" if me else f"trust {score:.2f}")


def trust_markup(score: float, *, me: bool = False) -> str:
    """The same levels as rich markup, for lines of text (chains, accept lists)."""
    if me:
        return "[b $primary]you[/]"
    color = {"-trusted": "$success", "-known": "$warning", "-untrusted": "$error"}[
        trust_level(score)
    ]
    return f"[{color}]{score:.2f}[/]"
