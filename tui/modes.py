"""The app's main screens (Textual modes, keys 1-5), each imported when first shown.

Only the feed is on the first screen; the other screens' modules (their
widgets, charts and forms with them) are imported when a key first asks for
them, so they cost the app's first paint nothing.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App
    from textual.screen import Screen

    from p2pshare.service.port import NodePort

MODES_ORDER = ("feed", "handoffs", "peers", "profile", "activity")  # as keys 1-5 go


def _feed(node: NodePort) -> Screen[Any]:
    from .screens.feed import FeedScreen

    return FeedScreen(node)


def _handoffs(node: NodePort) -> Screen[Any]:
    from .screens.handoffs import HandoffsScreen

    return HandoffsScreen(node)


def _peers(node: NodePort) -> Screen[Any]:
    from .screens.peers import PeersScreen

    return PeersScreen(node)


def _profile(node: NodePort) -> Screen[Any]:
    from .screens.profile import ProfileScreen

    return ProfileScreen(node)


def _activity(node: NodePort) -> Screen[Any]:
    from .screens.activity import ActivityScreen

    return ActivityScreen(node)


SCREENS: dict[str, Callable[[NodePort], Screen[Any]]] = {
    "feed": _feed,
    "handoffs": _handoffs,
    "peers": _peers,
    "profile": _profile,
    "activity": _activity,
}


def install_modes(app: App[Any], node: NodePort) -> None:
    """Give `app` its main screens over `node`; each is built when first switched to."""
    for name in MODES_ORDER:
        app.add_mode(name, partial(SCREENS[name], node))
