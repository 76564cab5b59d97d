"""Safe forms: when a one-key app action (a mode's digit, ? for help, q to quit) may run.

A text field consumes printable keys itself; this also covers the keys a field
lets through, and any focus in a form or dialog for q and ?, so a stray key
never quits or switches away from half-typed text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import ModalScreen
from textual.widgets import Input, TextArea

if TYPE_CHECKING:
    from typing import Any

    from textual.screen import Screen
    from textual.widget import Widget

ONE_KEY_ACTIONS = frozenset({"mode", "help", "quit_app"})


def one_key_allowed(action: str, focused: Widget | None, screen: Screen[Any]) -> bool:
    """False for a one-key action while text is typed, and for q and ? over a form."""
    if action not in ONE_KEY_ACTIONS:
        return True
    if isinstance(focused, (Input, TextArea)):
        return False
    if isinstance(screen, ModalScreen):
        return False
    return not (action != "mode" and getattr(screen, "FORM", False))
