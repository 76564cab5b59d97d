"""The import layering of STYLE.md, checked in fresh interpreters.

protocol/ is sans-IO: importing it loads no network, event loop, UI or database
module. p2pshare/'s core is free of the UI. Each import runs in its own
subprocess, so what one module pulls in cannot hide what another does.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROTOCOL_FORBIDDEN = {"libp2p", "trio", "textual", "sqlite3", "_sqlite3", "asyncio", "_asyncio"}
CORE_FORBIDDEN = {"textual"}

# The node/network bridge may legitimately load trio and libp2p (and the CLI starts
# the app); every other module of p2pshare/ is core and is checked.
NOT_CORE = (
    "p2pshare.net.node",
    "p2pshare.net*",
    "p2pshare.net.bridge",
    "p2pshare.cli.main",
    "p2pshare.__main__",
)


def loaded_top_level(module: str) -> set[str]:
    """Top-level names in sys.modules after `import module` in a fresh interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"import {module} failed:\n{result.stderr}"
    return set(json.loads(result.stdout.splitlines()[-1]))


def core_modules() -> list[str]:
    names = ["p2pshare"] + [
        f"p2pshare.{path.stem}"
        for path in sorted((ROOT / "p2pshare").glob("*.py"))
        if path.stem != "__init__"
    ]
    return [n for n in names if not any(fnmatch.fnmatchcase(n, pat) for pat in NOT_CORE)]


def test_protocol_is_sans_io() -> None:
    loaded = loaded_top_level("protocol")
    assert "protocol" in loaded
    assert loaded & PROTOCOL_FORBIDDEN == set()


@pytest.mark.parametrize("module", core_modules())
def test_core_is_free_of_the_ui(module: str) -> None:
    assert loaded_top_level(module) & CORE_FORBIDDEN == set()


def test_core_modules_are_found() -> None:
    """The glob above sees the package, so an empty parametrization cannot pass silently."""
    modules = core_modules()
    assert modules[0] == "p2pshare" and len(modules) > 1
