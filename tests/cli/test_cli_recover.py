"""`init` shows the recovery words once; `init --recover` brings the member back (issue 15);
`recovery-words` shows them again, also for a home made before they existed.

Driven through the command line as a member would: the words are read off
`init`'s stderr, typed into `init --recover` on a fresh home, and the restored
home is the same member, whose own offers come back as theirs once the records do
(here from an export file; over the network a sync does the same).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from p2pshare.member.home import Home

SCRIPT = Path(sys.executable).with_name("p2pshare")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "p2pshare"]
WORD_LINE = re.compile(r"^\s*1\.\s")


def run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("P2PSHARE_")}
    return subprocess.run(
        [*COMMAND, "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean,
        input=stdin,
    )


def words_shown(stderr: str) -> str:
    """The numbered block `init` printed: from the line starting "1." to the blank line."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if WORD_LINE.match(line))
    end = lines.index("", start)
    return "\n".join(lines[start:end])


def test_init_shows_24_words_and_recover_restores_the_member(tmp_path: Path) -> None:
    made = run(tmp_path / "laptop", "init", "--name", "Ana Reis", "--skills", "ux")
    assert made.returncode == 0, made.stderr
    member = made.stdout.strip()
    words = words_shown(made.stderr)
    assert len(re.findall(r"[a-z]+", words)) == 24
    assert "not shown again" in made.stderr
    assert words not in (tmp_path / "laptop" / "p2pshare.log").read_text()

    posted = run(
        tmp_path / "laptop", "offer", "post", "--title", "Brand workshop", "--skills", "ux"
    )
    assert posted.returncode == 0, posted.stderr
    assert run(tmp_path / "laptop", "export", str(tmp_path / "all.p2ps")).returncode == 0

    back = run(tmp_path / "new", "init", "--recover", stdin=words + "\n")
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == member
    assert member in back.stderr  # shown, so the member can check it is theirs
    assert "Write these words" not in back.stderr  # nothing new to write down

    listed = run(tmp_path / "new", "id", "--json")
    assert json.loads(listed.stdout)["id"] == member
    assert run(tmp_path / "new", "import", str(tmp_path / "all.p2ps")).returncode == 0
    offers = json.loads(run(tmp_path / "new", "offers", "--json").stdout)
    assert [(o["title"], o["mine"], o["author_name"]) for o in offers] == [
        ("Brand workshop", True, "you")
    ]


def test_recover_refuses_a_mistyped_word_and_an_existing_identity(tmp_path: Path) -> None:
    made = run(tmp_path / "laptop", "init", "--name", "Ana Reis")
    words = re.findall(r"[a-z]+", words_shown(made.stderr))

    typo = " ".join([words[0][:-1] + "q", *words[1:]])
    refused = run(tmp_path / "new", "init", "--recover", stdin=typo)
    assert refused.returncode == 1
    assert "word 1" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "new" / "identity.pem").exists()

    short = run(tmp_path / "new", "init", "--recover", stdin=" ".join(words[:23]))
    assert short.returncode == 1
    assert "23" in short.stderr

    again = run(tmp_path / "laptop", "init", "--recover", stdin=" ".join(words))
    assert again.returncode == 1
    assert "already has an identity" in again.stderr


def test_init_without_name_or_recover_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path / "home", "init")
    assert result.returncode == 2
    assert "--name" in result.stderr
    assert not (tmp_path / "home" / "identity.pem").exists()


def test_a_home_made_before_recovery_words_gets_48_that_restore_it(tmp_path: Path) -> None:
    """The upgrade path: today's key stays the member; `recovery-words` shows its backup."""
    old = tmp_path / "old"
    Home(old).ensure()
    keys = (Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    pem = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    (old / "identity.pem").write_bytes(
        b"".join(key.private_bytes(*pem, serialization.NoEncryption()) for key in keys)
    )
    member = json.loads(run(old, "id", "--json").stdout)["id"]

    shown = run(old, "recovery-words")
    assert shown.returncode == 0, shown.stderr
    assert len(re.findall(r"[a-z]+", shown.stdout)) == 48
    assert "act as you" in shown.stderr

    back = run(tmp_path / "new", "init", "--recover", stdin=shown.stdout)
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == member
    again = run(tmp_path / "new", "recovery-words")
    assert again.stdout == shown.stdout  # the same keys, so the same backup
