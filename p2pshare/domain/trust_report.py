"""`trust <member>` as data: a score, its readable standing, and why (DESIGN.md §5).

Owns the report behind `p2pshare trust [--explain] [--json]` and the app's peer
page: the raw score, the standing beside it (trust_scale.py), and with `explain`
the explanation (trust_explain.py) as plain JSON: the paths that carry the score,
each with its exact share, the remainder grouped ("and 14 longer paths: 31 %"),
and the evidence counted, disputed failures included. Split from views.py, which
re-exports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import protocol
from p2pshare.domain.member_names import MemberNames
from p2pshare.domain.trust import render_explanation
from p2pshare.domain.trust_scale import standing, standings

if TYPE_CHECKING:
    from p2pshare.domain.views import Viewpoint
    from protocol import PublicKey


def _mid(key: PublicKey) -> str:
    return protocol.member_id(key)


def trust_report(view: Viewpoint, key: PublicKey, *, explain: bool) -> dict[str, Any]:
    graph, me = view.trust, view.me
    names = MemberNames(view)
    report: dict[str, Any] = {
        "id": _mid(key),
        "name": names.name(key),
        "display_name": names.shown(key),
        "trust": round(graph.score(me, key), 6) if key != me else 1.0,
        "standing": round(standing(standings(view.scores), key, me), 6),
    }
    if explain and key != me:
        ex = graph.explain(me, key)
        report["explanation"] = render_explanation(ex, names.shown)  # lines a person reads
        report["paths"] = [
            {
                "share": round(path.share, 6),
                "hops": [
                    {
                        "id": _mid(h.member),
                        "name": names.name(h.member),
                        "display_name": names.shown(h.member),
                        "relation": h.relation,
                        "fulfilled": h.fulfilled,
                        "forwarded": h.forwarded,
                    }
                    for h in path.hops
                ],
            }
            for path in ex.paths
        ]
        # the rest of the score: further paths found, and walks through loops
        report["more_paths"] = {"count": ex.more_paths, "share": round(ex.more_share, 6)}
        report["evidence"] = {
            "vouches": ex.counts.vouches,
            "fulfilled": ex.counts.fulfilled,
            "failed": ex.counts.failed,
            "disputed": ex.counts.disputed,
            "forwarded": ex.counts.forwarded,
            "ignored": ex.ignored,
        }
    return report
