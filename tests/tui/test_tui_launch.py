"""The `p2pshare` console script: subcommands go to the CLI, no subcommand opens the app."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tui import launch

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

PEER = "/ip4/127.0.0.1/tcp/1/p2p/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5"


def test_subcommands_are_dispatched_to_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path / "h")
    assert launch.main(["--home", home, "init", "--name", "Ann", "--skills", "a,b"]) == 0
    member_id = capsys.readouterr().out.strip()
    assert launch.main(["--home", home, "id", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == member_id


def test_cli_errors_keep_their_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert launch.main(["--home", str(tmp_path / "none"), "offers"]) == 1
    assert "no identity" in capsys.readouterr().err


def test_no_subcommand_opens_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: dict[str, object] = {}

    def fake_run_app(
        home: str | None,
        *,
        peers: Sequence[str],
        listen: Sequence[str],
        mdns: bool,
        community: str | None,
    ) -> int:
        opened.update(home=home, peers=list(peers), listen=list(listen), mdns=mdns)
        opened.update(community=community)
        return 0

    monkeypatch.setattr(launch, "run_app", fake_run_app)
    args = ["--home", str(tmp_path), "--peer", PEER, "--no-mdns"]
    listen = "/ip4/127.0.0.1/tcp/4711"
    assert launch.main([*args, "--listen", listen, "--community", "c1"]) == 0
    assert opened == {
        "home": str(tmp_path),
        "peers": [PEER],
        "listen": [listen],  # the app listens where it is told too (issue 11)
        "mdns": False,
        "community": "c1",
    }


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        launch.main(["--bogus"])
    assert exc.value.code == 2
