"""tui/ talks to the node only through p2pshare.service.api: importing the app loads no
libp2p, trio or sqlite3 (the node is imported by NodeAPI.start_network, after the
first paint). Checked in a fresh interpreter, like tests/test_layering.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"libp2p", "trio"}


def loaded_after(module: str) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "module",
    [
        "tui.app",
        "tui.launch",
        "tui.screens.feed",
        "tui.screens.offer",
        "tui.screens.peers",
        "tui.screens.profile",
    ],
)
def test_the_app_does_not_load_the_network_stack_at_import(module: str) -> None:
    loaded = loaded_after(module)
    assert ("textual" in loaded) == (module != "tui.launch")  # the CLI path stays light
    assert loaded & FORBIDDEN == set()


def test_tui_sources_never_import_libp2p_trio_or_sqlite() -> None:
    for path in sorted((ROOT / "tui").rglob("*.py")):
        text = path.read_text("utf-8")
        for name in ("libp2p", "trio", "sqlite3"):
            assert f"import {name}" not in text and f"from {name}" not in text, (path, name)


def test_p2pshare_never_imports_tui() -> None:
    for path in sorted((ROOT / "p2pshare").rglob("*.py")):
        text = path.read_text("utf-8")
        assert "import tui" not in text and "from tui" not in text, path
