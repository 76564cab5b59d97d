"""The import contracts of the layers, for every module of protocol/, p2pshare/ and tui/.

Layers, top to bottom; a module may import its own component, any component of
a lower layer, and a sibling of its own layer unless the two are independent:

    tui
    p2pshare.service                          (and p2pshare.__main__, the entry point)
    p2pshare.net | p2pshare.cli | p2pshare.demo
    p2pshare.member
    p2pshare.events                           (what changed: carries records and views)
    p2pshare.domain  /  p2pshare.store        (independent of each other)
    p2pshare.errors, p2pshare (the package root): shared vocabulary
    protocol                                  (imports nothing of p2pshare or tui)

So p2pshare never imports tui, and protocol nothing of p2pshare. Third-party
rules: no libp2p or trio in p2pshare.{domain,store,member}; no sqlite3 in
protocol or p2pshare.domain; tui never imports libp2p, trio or sqlite3; no
textual anywhere in p2pshare; protocol is sans-IO (no network, event loop,
UI or database module).

Two checks: the source's imports, read with `ast` (every import statement,
including those inside functions and `if TYPE_CHECKING:`), and the modules
actually loaded by importing each module in a fresh interpreter (so what one
module pulls in cannot hide what another does). A module in no layer fails.
Known violations are in KNOWN_VIOLATIONS below; anything new fails.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("protocol", "p2pshare", "tui")

LAYERS: tuple[tuple[str, ...], ...] = (
    ("tui",),
    ("p2pshare.service", "p2pshare.__main__"),
    ("p2pshare.net", "p2pshare.cli", "p2pshare.demo"),
    ("p2pshare.member",),
    ("p2pshare.events",),
    ("p2pshare.domain", "p2pshare.store"),
    ("p2pshare.errors", "p2pshare"),
    ("protocol",),
)
# Siblings of one layer that must not import each other (others may).
INDEPENDENT = {
    frozenset({"p2pshare.domain", "p2pshare.store"}),
    frozenset({"p2pshare.service", "p2pshare.__main__"}),
}

# Third-party top-level names each component must not import (source) nor load (fresh import).
_NETWORK = {"libp2p", "trio"}
_DATABASE = {"sqlite3", "_sqlite3"}
_UI = {"textual"}
FORBIDDEN: dict[str, set[str]] = {
    "protocol": _NETWORK | _DATABASE | _UI | {"asyncio", "_asyncio"},
    "p2pshare.domain": _NETWORK | _DATABASE | _UI,
    "p2pshare.store": _NETWORK | _UI,
    "p2pshare.member": _NETWORK | _UI,
    "p2pshare": _UI,  # every p2pshare module, by prefix
    "tui": _NETWORK | _DATABASE,
}

# THE ALLOW-LIST. Contract violations present when these checks were written (issue
# 10): each is to be removed by whoever fixes it; the test fails on any new violation,
# not when one of these disappears. Keys:
#   "importer -> imported"   a source import (modules; fnmatch patterns allowed)
#   "module loads name"      a fresh-interpreter load (fnmatch patterns allowed)
KNOWN_VIOLATIONS: dict[str, str] = {
    # (p2pshare.domain.views -> p2pshare.member.actions, which also made the domain load
    # sqlite3, was found here and fixed in 3c45323: views take a Viewpoint.)
    # the app's modules import p2pshare.service.api / p2pshare.member, which import the
    # store: the app loads sqlite3 (libp2p and trio are already deferred until after the
    # first paint). Goes with the typed port of issue 10 item 3.
    **{
        f"tui.{module} loads *sqlite3": "tui loads the store"
        for module in (
            "app",
            "screens.base",
            "screens.compose",
            "screens.feed",
            "screens.forward",
            "screens.handoffs",
            "screens.offer",
            "screens.onboarding",
            "screens.peer",
            "screens.peers",
            "screens.profile",
        )
    },
}

_SKIP_LOAD = {"p2pshare.__main__", "tui.__main__"}  # importing them runs the program


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    imported: str  # a module of ours (as precise as resolvable), or a top-level name
    line: int

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} (line {self.line})"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def our_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def component_of(module: str) -> str | None:
    """The layer component a module of ours belongs to (the longest matching prefix)."""
    best: str | None = None
    for layer in LAYERS:
        for comp in layer:
            if (module == comp or module.startswith(comp + ".")) and (
                comp != "p2pshare" or module == "p2pshare"  # the root: its __init__ only
            ):
                best = comp if best is None or len(comp) > len(best) else best
    return best


def layer_of(component: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if component in layer)


def imports_of(module: str) -> list[Import]:
    path = our_modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append(Import(module, sub if sub in our_modules() else target, node.lineno))
    return out


def allowed(key: str) -> bool:
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in KNOWN_VIOLATIONS)


def forbidden_for(module: str) -> set[str]:
    return set().union(
        *(
            names
            for prefix, names in FORBIDDEN.items()
            if module == prefix or module.startswith(prefix + ".")
        )
    )


def layering_violation(imp: Import) -> str | None:
    """Why this import breaks the layers, or None."""
    top = imp.imported.split(".")[0]
    if top not in PACKAGES:
        return None
    src, dst = component_of(imp.importer), component_of(imp.imported)
    assert src is not None, imp
    assert dst is not None, imp
    if src == dst:
        return None
    if layer_of(src) < layer_of(dst):
        return None
    if layer_of(src) == layer_of(dst):
        if frozenset({src, dst}) in INDEPENDENT:
            return f"{src} and {dst} are independent"
        return None
    return f"{src} is above {dst}: it may not import upwards"


# -- the source ---------------------------------------------------------------------


def test_every_module_is_in_a_layer() -> None:
    modules = our_modules()
    assert len(modules) > 60
    assert {"protocol", "p2pshare", "tui"} <= set(modules)
    assert [m for m in modules if component_of(m) is None] == []


@pytest.mark.parametrize("module", sorted(our_modules()))
def test_source_imports_respect_the_contracts(module: str) -> None:
    problems = []
    for imp in imports_of(module):
        why = layering_violation(imp)
        if why is None and imp.imported.split(".")[0] in forbidden_for(module):
            why = f"{module} may not import {imp.imported.split('.')[0]}"
        if why is not None and not allowed(f"{imp.importer} -> {imp.imported}"):
            problems.append(f"{imp}: {why}")
    assert problems == []


def test_the_checker_sees_violations() -> None:
    """The analysis itself: an upward import and a forbidden library are caught."""
    assert layering_violation(Import("protocol.sync", "p2pshare.store", 1))
    assert layering_violation(Import("p2pshare.store.records", "tui.app", 1))
    assert layering_violation(Import("p2pshare.domain.ledger", "p2pshare.store", 1))
    assert layering_violation(Import("p2pshare.cli.main", "p2pshare.service.api", 1))
    assert layering_violation(Import("tui.app", "p2pshare.service.api", 1)) is None
    assert layering_violation(Import("p2pshare.cli.main", "p2pshare.net.node", 1)) is None
    assert "trio" in forbidden_for("p2pshare.member.actions")
    assert "sqlite3" in forbidden_for("tui.screens.feed")
    assert "sqlite3" not in forbidden_for("p2pshare.store.records")
    assert "textual" in forbidden_for("p2pshare.net.node")


# -- fresh interpreters -------------------------------------------------------------


def _load(module: str) -> tuple[set[str], str]:
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        return set(), result.stderr
    return set(json.loads(result.stdout.splitlines()[-1])), ""


@cache
def loaded_by_module() -> dict[str, tuple[set[str], str]]:
    """Top-level names in sys.modules after importing each module alone, in parallel."""
    modules = [m for m in our_modules() if m not in _SKIP_LOAD and forbidden_for(m)]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return dict(zip(modules, pool.map(_load, modules), strict=True))


def loadable_modules() -> list[str]:
    return sorted(m for m in our_modules() if m not in _SKIP_LOAD and forbidden_for(m))


@pytest.mark.parametrize("module", loadable_modules())
def test_importing_loads_nothing_forbidden(module: str) -> None:
    loaded, error = loaded_by_module()[module]
    assert error == "", f"import {module} failed:\n{error}"
    assert module.split(".")[0] in loaded
    bad = {name for name in loaded & forbidden_for(module) if not allowed(f"{module} loads {name}")}
    assert bad == set()
