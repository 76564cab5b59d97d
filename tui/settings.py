"""The app's settings that stick: the `[app]` table of the home's config.toml.

Only that table is written (the rest of the file, e.g. the node's `listen`, is
kept as it is); a setting that cannot be read is ignored, with a warning in the log.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

log = logging.getLogger(__name__)
FILE_NAME = "config.toml"
_TABLE = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")


def load(home: Path | None) -> dict[str, str]:
    """The `[app]` settings (strings only), or {} without a home or a readable file."""
    if home is None:
        return {}
    try:
        with open(home / FILE_NAME, "rb") as f:
            table = tomllib.load(f).get("app", {})
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("ignoring the [app] settings of %s: %s", home / FILE_NAME, exc)
        return {}
    return {k: v for k, v in table.items() if isinstance(v, str)} if isinstance(table, dict) else {}


def save(home: Path | None, **settings: str) -> None:
    """Set these `[app]` settings, keeping every other line of config.toml."""
    if home is None:
        return
    path = home / FILE_NAME
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        log.warning("cannot read %s: %s", path, exc)
        return
    merged = {**load(home), **settings}
    kept: list[str] = []
    in_app = False
    for line in text.splitlines():
        if match := _TABLE.match(line):
            in_app = match.group(1).strip() == "app"
        if not in_app:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    table = ["[app]", *(f"{key} = {_quote(value)}" for key, value in sorted(merged.items()))]
    out = "\n".join([*kept, *([""] if kept else []), *table]) + "\n"
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.tmp")
    try:
        tmp.write_text(out, "utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot keep the settings in %s: %s", path, exc)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
