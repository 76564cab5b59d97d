"""Hostile invocations of the real `p2pshare` command (issue 13): nothing lost, no traceback.

Each case runs the installed console script in a subprocess against a copy of one
prepared home and checks: the exit code; stderr has no traceback and, on failure,
is exactly one line starting `p2pshare: ` that says what went wrong; and the home
is unchanged (every file and directory hashed, with its mode, before and after;
only p2pshare.log may grow, as it is the log, not the member's data).

Permission cases and root. The tests usually run as root, where chmod-based
denials do not apply (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH skip the mode
bits). Cases marked `unprivileged` therefore run the command with those
capabilities (and CAP_FOWNER) dropped from its bounding set: it is still uid 0
and the owner of the files, but the mode bits now hold for it as for any user.
When not root they hold anyway. Where the capabilities cannot be dropped, those
cases are skipped, and say so.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import pty
import select
import shutil
import signal
import stat
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from p2pshare.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("p2pshare")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "p2pshare"]
LONG = "x" * 5000
TIMEOUT = 60

# -- running as a user the mode bits apply to ----------------------------------------

_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3
_PR_CAPBSET_DROP = 24


def _drop_capabilities() -> None:
    """In the child, before exec: lose the capabilities that skip file mode bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_drop_capabilities() -> bool:
    probe = subprocess.run(
        ["/bin/sh", "-c", "exit 0"], preexec_fn=_drop_capabilities, capture_output=True
    )
    return probe.returncode == 0


UNPRIVILEGED: Callable[[], None] | None = None
if os.geteuid() == 0:
    UNPRIVILEGED = _drop_capabilities if _can_drop_capabilities() else None


def run(
    args: list[str], *, unprivileged: bool = False, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    preexec = None
    if unprivileged and os.geteuid() == 0:
        if UNPRIVILEGED is None:
            pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE: mode bits not tested")
        preexec = UNPRIVILEGED
    base = {k: v for k, v in os.environ.items() if not k.startswith("P2PSHARE_")}
    return subprocess.run(
        [*COMMAND, *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
        env={**base, **(env or {})},
        stdin=subprocess.DEVNULL,
        preexec_fn=preexec,
    )


# -- the home, hashed ----------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[str, ...]]:
    """Every entry under `root` (itself included): its type, mode and content hash."""
    out: dict[str, tuple[str, ...]] = {}
    for path in [root, *sorted(root.rglob("*"))]:
        rel = str(path.relative_to(root))
        st = path.lstat()
        mode = oct(stat.S_IMODE(st.st_mode))
        if rel == "p2pshare.log" and stat.S_ISREG(st.st_mode):
            continue
        if stat.S_ISREG(st.st_mode):
            out[rel] = ("file", mode, hashlib.sha256(path.read_bytes()).hexdigest())
        elif stat.S_ISDIR(st.st_mode):
            out[rel] = ("dir", mode)
        else:
            out[rel] = ("other", mode, str(stat.S_IFMT(st.st_mode)))
    return out


def _cli(home: Path, *args: str) -> str:
    """Prepare a home with the real command too: a store left open in this process
    would keep its WAL files in the home, and the first case to close it would
    change the hashes."""
    result = run(["--home", str(home), *args])
    assert result.returncode == 0, (args, result.stderr)
    return result.stdout.strip()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Ann's home: her profile, an offer valued 5,000 EUR, and Bob's profile (imported)."""
    root = tmp_path_factory.mktemp("template")
    ann, bob = root / "ann", root / "bob"
    _cli(ann, "init", "--name", "Ann", "--skills", "design")
    _cli(bob, "init", "--name", "Bob")
    offer = _cli(ann, "offer", "post", "--title", "Logo for a bakery", "--value", "5,000 EUR")
    _cli(bob, "export", str(root / "bob.export"))
    _cli(ann, "import", str(root / "bob.export"))
    return ann, offer


# -- the cases -----------------------------------------------------------------------

Setup = Callable[[Path, Path], None]  # (home, scratch directory)


@dataclass(frozen=True)
class Case:
    args: list[str]  # {home}, {tmp}, {offer} and {long} are filled in
    code: int
    says: str = ""  # a piece of the one stderr line
    setup: Setup | None = None
    unprivileged: bool = False
    check: Callable[[Path, Path], None] | None = None  # more to assert afterwards
    env: dict[str, str] = field(default_factory=dict)


def _chmod(rel: str, mode: int) -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        (home / rel if rel else home).chmod(mode)

    return setup


def _make_dir_at(rel: str) -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        path = home / rel
        if path.exists():
            path.unlink()
        path.mkdir()

    return setup


def _scratch(rel: str, *, mode: int | None = None, content: bytes | None = None) -> Setup:
    """A directory (content None) or a file at tmp/rel, with `mode`."""

    def setup(home: Path, tmp: Path) -> None:
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir(exist_ok=True)
        else:
            path.write_bytes(content)
        if mode is not None:
            path.chmod(mode)

    return setup


def _chmod_scratch(rel: str, mode: int) -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        (tmp / rel).chmod(mode)

    return setup


def _both(*setups: Setup) -> Setup:
    def setup(home: Path, tmp: Path) -> None:
        for one in setups:
            one(home, tmp)

    return setup


def _link_to_home(home: Path, tmp: Path) -> None:
    (tmp / "link").symlink_to(home, target_is_directory=True)


def _still(rel: str, content: bytes) -> Callable[[Path, Path], None]:
    def check(home: Path, tmp: Path) -> None:
        assert (tmp / rel).read_bytes() == content

    return check


def _is_export(rel: str) -> Callable[[Path, Path], None]:
    def check(home: Path, tmp: Path) -> None:
        assert (tmp / rel).read_bytes().startswith(b"P2PSHARE-EXPORT\n")
        assert not [p for p in tmp.iterdir() if p.name.startswith(".")], "temporary file left"

    return check


def _null_is_a_device(home: Path, tmp: Path) -> None:
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


KEEP = b"a file the member wants to keep\n"
CASES: dict[str, Case | object] = {
    # Data that a command destroyed
    "export onto the live store": Case(["export", "{home}/records.db"], 1, "inside the home"),
    "export onto the secret key": Case(["export", "{home}/identity.pem"], 1, "inside the home"),
    "export to a new file in the home": Case(["export", "{home}/backup"], 1, "inside the home"),
    "export into the home through ..": Case(
        ["export", "{home}/../ann/records.db"], 1, "inside the home"
    ),
    "export into the home through a symlink": Case(
        ["export", "{tmp}/link/records.db"], 1, "inside the home", setup=_link_to_home
    ),
    "export onto a device": Case(
        ["export", "/dev/null"], 1, "not a regular file", check=_null_is_a_device
    ),
    "export onto a device, --force": Case(
        ["export", "--force", "/dev/null"], 1, "not a regular file", check=_null_is_a_device
    ),
    "export onto an existing file": Case(
        ["export", "{tmp}/keep"],
        1,
        "use --force",
        setup=_scratch("keep", content=KEEP),
        check=_still("keep", KEEP),
    ),
    "export onto an existing file, --force": Case(
        ["export", "--force", "{tmp}/keep"],
        0,
        setup=_scratch("keep", content=KEEP),
        check=_is_export("keep"),
    ),
    "export to a new file": Case(["export", "{tmp}/new.export"], 0, check=_is_export("new.export")),
    # Tracebacks instead of a one-line error
    "offer post --value ²": Case(["offer", "post", "--title", "T", "--value", "²"], 2, "value"),
    "offer post --value of 5,000 digits": Case(
        ["offer", "post", "--title", "T", "--value", "9" * 5000], 2, "value"
    ),
    "export to an existing directory": Case(
        ["export", "{tmp}/dir"], 1, "is a directory", setup=_scratch("dir")
    ),
    "export to no/such/dir/f": Case(["export", "{tmp}/no/such/dir/f"], 1, "no such directory"),
    "export to ''": Case(["export", ""], 1, "needs a file name"),
    "export to a 5,000-character name": Case(["export", "{tmp}/{long}"], 1, "too long"),
    "export into a directory without write permission": Case(
        ["export", "{tmp}/ro/f"],
        1,
        "Permission denied",
        setup=_scratch("ro", mode=0o500),
        unprivileged=True,
    ),
    "serve --listen garbage": Case(["serve", "--listen", "garbage"], 2, "--listen"),
    "serve --listen on port 99999": Case(
        ["serve", "--listen", "/ip4/127.0.0.1/tcp/99999"], 2, "--listen"
    ),
    "--home of 5,000 characters": Case(["--home", "{tmp}/{long}", "offers"], 1, "too long"),
    "a home the user cannot read: offers": Case(
        ["offers"], 1, "Permission denied", setup=_chmod("", 0), unprivileged=True
    ),
    "a home the user cannot read: offer post": Case(
        ["offer", "post", "--title", "T"],
        1,
        "Permission denied",
        setup=_chmod("", 0),
        unprivileged=True,
    ),
    "a home the user cannot read: init": Case(
        ["init", "--name", "Z"], 1, "Permission denied", setup=_chmod("", 0), unprivileged=True
    ),
    "a read-only home: offers --json reads": Case(
        ["offers", "--json"], 0, setup=_chmod("", 0o500), unprivileged=True
    ),
    "a read-only home: offer post": Case(
        ["offer", "post", "--title", "T"], 1, "", setup=_chmod("", 0o500), unprivileged=True
    ),
    "records.db read-only: offers --json reads": Case(
        ["offers", "--json"], 0, setup=_chmod("records.db", 0o400), unprivileged=True
    ),
    "records.db read-only: offer post": Case(
        ["offer", "post", "--title", "T"],
        1,
        "read-only",
        setup=_chmod("records.db", 0o400),
        unprivileged=True,
    ),
    "records.db a directory": Case(["offers"], 1, "store", setup=_make_dir_at("records.db")),
    "marks.json a directory: offers reads": Case(["offers"], 0, setup=_make_dir_at("marks.json")),
    "marks.json a directory: block": Case(
        ["block", "Bob"], 1, "marks.json", setup=_make_dir_at("marks.json")
    ),
    "p2pshare.log a directory: offers reads": Case(
        ["offers", "--json"], 0, setup=_make_dir_at("p2pshare.log")
    ),
    "init under a read-only parent": Case(
        ["--home", "{tmp}/ro/new", "init", "--name", "Z"],
        1,
        "Permission denied",
        setup=_scratch("ro", mode=0o500),
        unprivileged=True,
    ),
    "demo --dir a regular file": Case(
        ["demo", "--headless", "--dir", "{tmp}/file"],
        1,
        "not a directory",
        setup=_scratch("file", content=KEEP),
        check=_still("file", KEEP),
    ),
    "demo --dir under a read-only parent": Case(
        ["demo", "--headless", "--dir", "{tmp}/ro/demo"],
        1,
        "Permission denied",
        setup=_scratch("ro", mode=0o500),
        unprivileged=True,
    ),
    "import a file without read permission": Case(
        ["import", "{tmp}/secret.export"],
        1,
        "Permission denied",
        setup=_scratch("secret.export", content=b"P2PSHARE-EXPORT\n\0\0\0\0", mode=0),
        unprivileged=True,
    ),
    "import from a directory without search permission": Case(
        ["import", "{tmp}/closed/a.export"],
        1,
        "Permission denied",
        setup=_both(
            _scratch("closed/a.export", content=b"P2PSHARE-EXPORT\n\0\0\0\0"),
            _chmod_scratch("closed", 0o600),
        ),
        unprivileged=True,
    ),
    "import a 5,000-character name": Case(["import", "{tmp}/{long}"], 1, "too long"),
    "import a directory": Case(["import", "{tmp}"], 1, "not a regular file"),
    "import a device": Case(["import", "/dev/zero"], 1, "not a regular file"),
    # Input accepted that should not be
    "offer post --value lots": Case(
        ["offer", "post", "--title", "T", "--value", "lots"], 2, "value"
    ),
    "offer post --value '5 USD EUR'": Case(
        ["offer", "post", "--title", "T", "--value", "5 USD EUR"], 2, "value"
    ),
    "offer post --value 5.5": Case(["offer", "post", "--title", "T", "--value", "5.5"], 2, "value"),
    "offer post --value over the limit": Case(
        ["offer", "post", "--title", "T", "--value", "1,000,000,000,001"], 2, "more than"
    ),
    "offer outcome --value in another currency": Case(
        ["offer", "outcome", "{offer}", "--fulfilled", "--value", "8000 USD"], 1, "EUR"
    ),
    "offer outcome --value lots": Case(
        ["offer", "outcome", "{offer}", "--fulfilled", "--value", "lots"], 2, "value"
    ),
    "serve --peer garbage": Case(["serve", "--peer", "garbage"], 2, "--peer"),
    "serve --peer p2ps1:garbage": Case(["serve", "--peer", "p2ps1:garbage"], 2, "invite"),
    "serve --peer without /p2p/": Case(["serve", "--peer", "/ip4/127.0.0.1/tcp/4001"], 2, "p2p"),
    "the app with --peer garbage": Case(["--peer", "garbage"], 2, "--peer"),
    "--community of 65 bytes": Case(["--community", "c" * 65, "serve"], 2, "64 bytes"),
    "--community of 100 KB": Case(["serve", "--community", "c" * 100_000], 2, "64 bytes"),
    "--community empty": Case(["serve", "--community", ""], 2, "empty"),
    "--home ''": Case(["--home", "", "offers"], 2, "--home"),
    "forward to yourself, by name": Case(
        ["offer", "forward", "{offer}", "--to", "ann"], 1, "is you"
    ),
    "handoff to yourself": Case(["offer", "handoff", "{offer}", "--to", "Ann"], 1, "is you"),
    "vouch for yourself": Case(["vouch", "Ann"], 1, "is you"),
    "block yourself": Case(["block", "Ann"], 1, "is you"),
    "profile set with nothing": Case(["profile", "set"], 2, "nothing to change"),
    "profile set with no change": Case(
        ["profile", "set", "--name", "Ann", "--skills", "Design"], 0, "nothing was signed"
    ),
}


def _params() -> list[object]:
    out: list[object] = []
    for name, case in CASES.items():
        if isinstance(case, Case):
            out.append(pytest.param(case, id=name))
        else:  # already a pytest.param with marks
            values, marks = case.values, case.marks  # type: ignore[attr-defined]
            out.append(pytest.param(*values, marks=marks, id=name))
    return out


def _restore(path: Path) -> None:
    """Give back the modes the cases took away, so the files can be read and removed."""
    for p in [path, *path.rglob("*")] if path.is_dir() else [path]:
        if not p.is_symlink():
            p.chmod(0o700 if p.is_dir() else 0o600)


@pytest.mark.parametrize("case", _params())
def test_hostile_invocation(case: Case, template: tuple[Path, str], tmp_path: Path) -> None:
    source, offer = template
    home, scratch = tmp_path / "ann", tmp_path / "scratch"
    shutil.copytree(source, home, symlinks=True)
    scratch.mkdir()
    if case.setup is not None:
        case.setup(home, scratch)
    before = snapshot(home)
    args = [
        a.format(home=home, tmp=scratch, offer=offer, long=LONG) if "{" in a else a
        for a in case.args
    ]
    if not (args and args[0] == "--home") and "demo" not in args:
        args = ["--home", str(home), *args]
    try:
        result = run(args, unprivileged=case.unprivileged, env=case.env)
    finally:
        after = snapshot(home)
        _restore(scratch)

    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case.code, (result.returncode, result.stderr, result.stdout)
    lines = result.stderr.splitlines()
    if case.code != 0:
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("p2pshare: "), result.stderr
        assert len(lines[0]) <= 320, "an error line quotes a long argument whole"
    if case.says:
        assert case.says in result.stderr, result.stderr
    assert after == before, "the home changed"
    if case.check is not None:
        case.check(home, scratch)


def test_offers_json_to_a_closed_pipe(template: tuple[Path, str]) -> None:
    """`offers --json | head -1`, with the reader gone before a byte is written."""
    home, _ = template
    proc = subprocess.Popen(
        [*COMMAND, "--home", str(home), "offers", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=TIMEOUT) == cli.EXIT_BROKEN_PIPE
    assert "Traceback" not in err, err
    assert "BrokenPipe" not in err, err


def test_offers_json_piped_to_head(template: tuple[Path, str]) -> None:
    home, _ = template
    shell = f"{' '.join(COMMAND)} --home '{home}' offers --json | head -1"
    result = subprocess.run(
        ["/bin/sh", "-c", shell], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.stdout == "[\n"
    assert result.stderr == ""


def _read_until(fd: int, wanted: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {wanted!r} on the terminal; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_ctrl_c_at_the_passphrase_prompt(tmp_path: Path) -> None:
    """ctrl+c typed on the terminal while the command waits: exit 130, no traceback."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("P2PSHARE_")}
    made = subprocess.run(
        [*COMMAND, "--home", str(home), "init", "--name", "Ann", "--passphrase"],
        env={**env, "P2PSHARE_PASSPHRASE": "correct horse"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert made.returncode == 0, made.stderr
    before = snapshot(home)
    master, slave = pty.openpty()

    def controlling_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        # As a shell does for the command it runs in the foreground: a test run
        # started in the background (`pytest &` from a script, nohup) inherits
        # SIGINT ignored, Python then installs no KeyboardInterrupt handler, and
        # the ctrl+c is lost: the command waited at the prompt until the timeout.
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen(
        [*COMMAND, "--home", str(home), "offers"],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    try:
        _read_until(master, b"Passphrase", TIMEOUT)
        os.write(master, b"\x03")  # what the ctrl+c key sends; the terminal makes it SIGINT
        _out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        os.close(master)
    assert proc.returncode == cli.EXIT_INTERRUPTED, err
    assert b"Traceback" not in err, err
    assert b"KeyboardInterrupt" not in err, err
    assert snapshot(home) == before
