"""Why I trust a member, drawn: the paths from me to them as a tree, each with its share.

The trust report (domain.trust_report) lists the paths that carry most of a
score, each a chain of hops from "you" and the part of the score it carries.
Paths that begin alike share their first hops, so they are drawn as one tree
rooted at "you": a branch per first hop, a leaf (the member) per path with a bar
of its share. The report's words for a hop (vouch, fulfilled hand-offs, routed)
label each step, as in `p2pshare trust --explain`. Members are named as the report
shows them (`display_name`: escaped, a fingerprint after look-alike names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape
from textual.widgets import Static

from ..fmt import shown_name

SHARE_BAR = 10  # cells for a path that carries the whole score


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def hop_words(hop: dict[str, Any]) -> str:
    """'vouch', '2 fulfilled hand-offs', 'vouch, 1 hand-off routed'…"""
    parts = ["vouch"] if hop["relation"] == "vouch" else []
    if hop.get("fulfilled"):
        parts.append(_plural(hop["fulfilled"], "fulfilled hand-off", "fulfilled hand-offs"))
    if hop.get("forwarded"):
        parts.append(_plural(hop["forwarded"], "hand-off routed", "hand-offs routed"))
    return ", ".join(parts) or str(hop["relation"])


@dataclass(slots=True)
class _Node:
    name: str
    words: str
    share: float = 0.0  # of the paths that end here
    ends: bool = False
    children: dict[tuple[str, str], _Node] = field(default_factory=dict)


def _tree(paths: list[dict[str, Any]]) -> _Node:
    root = _Node(name="you", words="")
    for path in paths:
        node = root
        for hop in path["hops"]:
            words = hop_words(hop)
            node = node.children.setdefault((hop["id"], words), _Node(shown_name(hop), words))
        node.ends = True
        node.share += float(path["share"])
    return root


def share_bar(share: float, width: int = SHARE_BAR) -> str:
    filled = min(width, max(1, round(share * width))) if share > 0 else 0
    return f"[$accent]{'█' * filled}[/][dim]{'░' * (width - filled)}[/dim]"


def draw_paths(paths: list[dict[str, Any]], more: dict[str, Any] | None = None) -> list[str]:
    """Markup lines: 'you', then '├─ Bob (vouch)', '│  └─ Carol (2 fulfilled …)  ███ 62%'."""
    if not paths:
        return []
    rows: list[tuple[str, int, float | None]] = []  # markup, its width, the share at a leaf

    def walk(node: _Node, prefix: str) -> None:
        kids = list(node.children.values())
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            branch = f"{prefix}{'└─' if last else '├─'} "
            markup = f"{branch}[b]{escape(kid.name)}[/b] [dim]({escape(kid.words)})[/dim]"
            width = len(branch) + len(kid.name) + len(kid.words) + 3
            rows.append((markup, width, kid.share if kid.ends else None))
            walk(kid, prefix + ("   " if last else "│  "))

    walk(_tree(paths), "")
    column = max(width for _, width, _ in rows) + 2  # the shares line up
    lines = ["[b]you[/b]"]
    for markup, width, share in rows:
        if share is None:
            lines.append(markup)
        else:
            lines.append(f"{markup}{' ' * (column - width)}{share_bar(share)} {share:>4.0%}")
    if more and float(more.get("share", 0.0)) >= 0.005:
        found = f", {more['count']} found" if more.get("count") else ""
        lines.append(
            f"[dim]and other paths (longer, or through loops{found}):[/dim]"
            f"  {share_bar(float(more['share']))} {float(more['share']):.0%}"
        )
    return lines


class TrustPaths(Static):
    """The paths of a trust report, drawn; nothing at all when the report has none."""

    DEFAULT_CSS = """
    TrustPaths { height: auto; }
    """

    def show(self, paths: list[dict[str, Any]], more: dict[str, Any] | None = None) -> None:
        lines = draw_paths(paths, more)
        self.display = bool(lines)
        self.update("\n".join(lines))
