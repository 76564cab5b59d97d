"""The command palette's entries of the app: the screens, help, and each key of the
screen on top that this app binds (not a widget's cursor keys, not Textual's own)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand

from .screens.dialogs import own_actions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from textual.screen import Screen

    from .app import P2PShareApp

LABELS = {
    "feed": "Feed",
    "handoffs": "Hand-offs",
    "peers": "Peers",
    "profile": "My profile",
    "activity": "Activity",
}
NOT_LISTED = {"quit", "quit_app", "help", "change_theme", "command_palette"}


def system_commands(app: P2PShareApp, screen: Screen[Any]) -> Iterator[SystemCommand]:
    if app.node is None:
        return
    for name, label in LABELS.items():
        yield SystemCommand(
            f"Go to {label}",
            f"Switch to the {label} screen",
            partial(app.run_action, f"mode('{name}')"),
        )
    yield SystemCommand("Help", "Keys and what the screens show", app.action_help)
    if app.start_network and app.node.status.state in ("failed", "offline"):
        yield SystemCommand("Start the network", "Try to start the node again", app.run_network)
    ours = own_actions(screen)
    seen = set(NOT_LISTED)
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if (
            not binding.description
            or binding.action in seen
            or binding.action.startswith("mode(")
            or active.node is not screen  # a widget's own keys ("Down")
            or binding.action not in ours  # Textual's own ("Focus Next")
        ):
            continue
        seen.add(binding.action)
        yield SystemCommand(
            binding.description,
            f"key {key}" + ("" if active.enabled else " (not available here)"),
            partial(app.call_later, app.run_action, binding.action, active.node),
        )
