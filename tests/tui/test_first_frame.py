"""The app's first frame is plain and cheap: the splash says it is opening the home, and
nothing slow has run before it (issue 10: first paint at most 1.2 times a bare Textual app's).

The `p2pshare` command is run as a member runs it (tui.launch.main), headless, in a
fresh interpreter; at Textual's Ready (the first frame is composed and shown) it
reports what the screen says and which modules the process has loaded. The
identity check, the feed and the node come after that frame, so their modules
(the key file's cryptography, the feed's widgets, sqlite3, libp2p, trio) must not
be loaded yet. bench/bench_tui.py times the same frame in a real terminal.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from pathlib import Path
from textual.widgets import Static
import tui.app

class FirstFrame(tui.app.P2PShareApp):
    CSS_PATH = str(Path(tui.app.__file__).with_name(tui.app.P2PShareApp.CSS_PATH))

    def on_ready(self):  # the first frame is on screen: say what it shows, then stop
        shown = " ".join(str(w.render()) for w in self.screen.query(Static))
        modules = sorted(sys.modules)
        print(json.dumps({"screen": type(self.screen).__name__, "shown": shown,
                          "modules": modules}))
        self.exit()

    def run(self, **options):
        return super().run(headless=True)

tui.app.P2PShareApp = FirstFrame
from tui.launch import main
sys.exit(main(sys.argv[1:]))
"""

# loaded only after the first frame: what the identity check, the feed and the node need
AFTER_THE_FIRST_FRAME = (
    "p2pshare.member.identity",  # reads the key file
    "protocol",  # the wire format: msgpack and cryptography with it
    "msgpack",
    "cryptography",
    "p2pshare.service.api",
    "p2pshare.store",
    "tui.screens.feed",
    "tui.widgets.offer_list",
    "textual.widgets._text_area",  # the one-key guard's (tui/keys.py)
    "sqlite3",
    "libp2p",
    "trio",
)


def first_frame(home: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--home", str(home), "--no-mdns"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def test_the_first_frame_says_it_is_opening_the_home_before_anything_slow(
    tmp_path: Path,
) -> None:
    frame = first_frame(tmp_path / "me")
    assert frame["screen"] == "SplashScreen"
    assert "opening your home" in str(frame["shown"])
    modules = frame["modules"]
    assert isinstance(modules, list)
    loaded = {name for name in AFTER_THE_FIRST_FRAME if name in modules}
    assert loaded == set()
