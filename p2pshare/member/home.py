"""Where one member's data lives: keys, records, peers, config and logs.

Several members can share a machine, each with their own home (`--home DIR`
or `P2PSHARE_HOME`); without either, platformdirs picks the user data dir.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_HOME = "P2PSHARE_HOME"


@dataclass(frozen=True, slots=True)
class Home:
    path: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike[str] | None = None) -> Home:
        chosen = explicit or os.environ.get(ENV_HOME) or platformdirs.user_data_dir("p2pshare")
        return cls(Path(chosen).expanduser().absolute())

    def ensure(self) -> Home:
        """Create the home, readable by its owner only (it holds the secret key)."""
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self

    @property
    def key_file(self) -> Path:
        return self.path / "identity.pem"

    @property
    def store_file(self) -> Path:
        return self.path / "records.db"

    @property
    def log_file(self) -> Path:
        return self.path / "p2pshare.log"

    @property
    def lock_file(self) -> Path:
        return self.path / "node.lock"

    @property
    def peers_file(self) -> Path:
        return self.path / "peers.json"

    @property
    def marks_file(self) -> Path:
        return self.path / "marks.json"

    @property
    def config_file(self) -> Path:
        return self.path / "config.toml"

    @property
    def node_file(self) -> Path:
        """Written by a running node: its addresses and invite, for `id` and `invite`."""
        return self.path / "node.json"


def setup_logging(home: Home, level: int = logging.INFO) -> None:
    """Send our logs and py-libp2p's to the home's log file, never to the terminal.

    py-libp2p logs WARNING and above to stderr through logging's last-resort
    handler when nothing is configured; a root file handler takes that over.
    """
    home.ensure()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_p2pshare", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.FileHandler(home.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._p2pshare = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("libp2p").setLevel(logging.WARNING)
    logging.lastResort = None
