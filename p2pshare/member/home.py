"""Where one member's data lives: keys, records, peers, config and logs.

Several members can share a machine, each with their own home (`--home DIR`
or `P2PSHARE_HOME`); without either, platformdirs picks the user data dir.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from p2pshare.errors import UserError

ENV_HOME = "P2PSHARE_HOME"
_PRIVATE_FILES = ("identity.pem", "records.db", "records.db-wal", "records.db-shm",
                  "p2pshare.log", "node.lock", "node.json", "peers.json", "marks.json",
                  "config.toml", "member.json", "pairings.json", "pairings.lock",
                  "seal_keys.json", "seal_keys.lock")  # fmt: skip


def make_private(home: Path) -> None:
    """Mode 0700 on `home` and 0600 on the files p2pshare keeps in it, where allowed."""
    uid = os.geteuid()
    for path, mode in ((home, 0o700), *((home / name, 0o600) for name in _PRIVATE_FILES)):
        try:
            st = os.stat(path, follow_symlinks=False)
            right_type = stat.S_ISDIR if mode == 0o700 else stat.S_ISREG
            if st.st_uid == uid and stat.S_IMODE(st.st_mode) & 0o077 and right_type(st.st_mode):
                os.chmod(path, mode)
        except OSError:
            continue


@dataclass(frozen=True, slots=True)
class Home:
    path: Path

    @classmethod
    def resolve(cls, explicit: str | os.PathLike[str] | None = None) -> Home:
        """The home named by `explicit`, else $P2PSHARE_HOME (if set and not empty),
        else the platform's user data dir. An empty `explicit` name is refused."""
        if explicit is not None and not os.fspath(explicit):
            raise UserError("--home needs a directory name, not an empty string")
        chosen = explicit or os.environ.get(ENV_HOME) or platformdirs.user_data_dir("p2pshare")
        return cls(Path(chosen).expanduser().absolute())

    def ensure(self) -> Home:
        """Create the home, readable by its owner only (it holds the secret key).

        An existing home is brought to mode 0700 and its files to 0600 (homes made
        by earlier versions were 0755 with 0644 logs); what cannot be changed (a
        read-only file system, another owner) is left as it is.
        """
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        make_private(self.path)
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


def config_listen(home: Home) -> list[str]:
    """The `listen` list of the home's config.toml: the multiaddrs the node listens on
    (the app and `serve` alike), chosen at `init` so an invite outlives a restart.
    [] when absent or unreadable (the caller then chooses; see `ensure_listen`)."""
    try:
        with open(home.config_file, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return []
    listen = data.get("listen", [])
    if isinstance(listen, str):
        listen = [listen]
    if not isinstance(listen, list) or not all(isinstance(a, str) for a in listen):
        logging.getLogger(__name__).warning(
            "ignoring %s: `listen` must be a list of multiaddrs", home.config_file
        )
        return []
    return listen


def free_tcp_port() -> int:
    """A TCP port nobody listens on now, on every IPv4 interface (the kernel picks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


def ensure_listen(home: Home) -> list[str]:
    """`config_listen`, after choosing a port and keeping it in config.toml if there is
    none yet (a home made before ports were kept). The line goes first in the file:
    a top-level TOML key must precede any table. Unwritable home: chosen, not kept."""
    listen = config_listen(home)
    if listen:
        return listen
    listen = [f"/ip4/0.0.0.0/tcp/{free_tcp_port()}"]
    line = (
        "# where this member's node listens (kept, so invites outlive restarts)\n"
        f"listen = {json.dumps(listen)}\n"
    )
    try:
        try:
            old = home.config_file.read_text("utf-8")
        except FileNotFoundError:
            old = ""
        tmp = home.config_file.with_name(f".config.toml.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(line + old)
        os.replace(tmp, home.config_file)
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot keep the listen port in config.toml: %s", exc)
    return listen


def setup_logging(home: Home, level: int = logging.INFO) -> None:
    """Send our logs and py-libp2p's to the home's log file, never to the terminal.

    py-libp2p logs WARNING and above to stderr through logging's last-resort
    handler when nothing is configured; a root file handler takes that over.
    """
    home.ensure()
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_p2pshare", False):
            root.removeHandler(old)
            old.close()
    handler: logging.Handler
    try:
        # created 0600 before logging opens it (by name, with the umask's mode)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | os.O_NOFOLLOW
        fd = os.open(home.log_file, flags, 0o600)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise IsADirectoryError(f"{home.log_file} is not a regular file")
        finally:
            os.close(fd)
        handler = logging.FileHandler(home.log_file, encoding="utf-8")
    except OSError:
        # A read-only home, or p2pshare.log that is not a file: reading must still
        # work, so the logs go nowhere rather than stop the command.
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    setattr(handler, "_p2pshare", True)  # noqa: B010 (marks our handler)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("libp2p").setLevel(logging.WARNING)
    # P2PSHARE_DEBUG_LOGGERS=name,name: these loggers at DEBUG in the log file
    # (e.g. libp2p.relay.circuit_v2.dcutr, to see hole punching at work).
    for name in filter(None, os.environ.get("P2PSHARE_DEBUG_LOGGERS", "").split(",")):
        logging.getLogger(name.strip()).setLevel(logging.DEBUG)
    logging.lastResort = None
