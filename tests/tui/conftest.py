"""Fixtures for the app's tests; the helpers live in tui_helpers.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input, TextArea
from tui_helpers import World

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor is a clock in a picture: it blinks every 0.5 s, so a snapshot
    taken on a busy machine caught it hidden. In tests the cursor stays shown."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
