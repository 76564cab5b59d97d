"""Several members' homes driven through the command line in-process, records moved
between them by export and import: no network (tests/cli)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from p2pshare.cli import main as cli

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


class Homes:
    """`run("alice", "offer", "post", ...)` in the home `root/alice`; its stdout."""

    keep_indent = False  # True: only trailing newlines are cut (a display's first indent counts)

    def __init__(self, root: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.root, self.capsys = root, capsys

    def run(self, who: str, *args: str, ok: bool = True) -> str:
        """stdout of a command that must succeed, or (ok=False) the one-line error of
        one that must fail."""
        self.capsys.readouterr()
        code = cli.main(["--home", str(self.root / who), *args])
        out, err = self.capsys.readouterr()
        if not ok:
            assert code != 0, f"{who} {args} should have failed: {out}"
            assert err.startswith("p2pshare: "), err
            assert err.count("\n") == 1, err
            return err.strip()
        assert code == 0, f"{who} {args}: exit {code}: {err}"
        return out.rstrip("\n") if self.keep_indent else out.strip()

    def json(self, who: str, *args: str) -> Any:
        return json.loads(self.run(who, *args, "--json"))

    def sync(self, *who: str) -> None:
        """Every named home gets every record the others hold (export, then import)."""
        for source in who:
            bundle = self.root / f"{source}.export"
            self.run(source, "export", "--force", str(bundle))
            for target in who:
                if target != source:
                    self.run(target, "import", str(bundle))
