"""Fixtures for the app's tests; the helpers live in tui_helpers.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from tui_helpers import World

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.close()
