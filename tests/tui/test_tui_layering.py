"""tui/ talks to the node only through p2pshare.service.port: importing the app loads no
libp2p, trio or sqlite3 (the node is imported by NodeAPI.start_network, after the
first paint), and only tui/launch.py, which builds the real node, imports more of
p2pshare. Checked in a fresh interpreter and on the sources."""

from __future__ import annotations

import ast
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
            assert f"import {name}" not in text, (path, name)
            assert f"from {name}" not in text, (path, name)


def test_p2pshare_never_imports_tui() -> None:
    for path in sorted((ROOT / "p2pshare").rglob("*.py")):
        text = path.read_text("utf-8")
        assert "import tui" not in text, path
        assert "from tui" not in text, path


# What the app may know of p2pshare: the port, and the plain data crossing it.
PORT_SIDE = {
    "p2pshare.service.port",
    "p2pshare.events",
    "p2pshare.errors",
    "p2pshare.domain.views",
    "p2pshare.domain.activity",
    "p2pshare.domain.device_views",  # the devices and pairing of the Profile (issue 15)
    # pure and stdlib-only: the escaping and standing words the CLI uses too, so the app
    # shows member-written text exactly as `p2pshare show` does (issue 16 §6)
    "p2pshare.domain.display_text",
}
COMPOSITION_ROOT = ROOT / "tui" / "launch.py"  # builds the real node: may import the rest


def p2pshare_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name == "p2pshare" or name.startswith("p2pshare.")}


def test_the_app_knows_the_node_only_through_the_port() -> None:
    for path in sorted((ROOT / "tui").rglob("*.py")):
        if path != COMPOSITION_ROOT:
            assert p2pshare_imports(path) <= PORT_SIDE, path


def test_screens_and_widgets_never_import_the_app() -> None:
    """The app imports its screens; a screen importing it back would close a circle."""
    for path in sorted(
        [*(ROOT / "tui" / "screens").rglob("*.py"), *(ROOT / "tui" / "widgets").rglob("*.py")]
    ):
        text = path.read_text("utf-8")
        assert "from ..app import" not in text, path
        assert "from tui.app import" not in text, path
        assert "import tui.app" not in text, path
