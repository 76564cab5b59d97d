"""The app's speed: start to first paint and to online, in a real terminal (tmux);
and a feed of 100,000 offers: keystroke to redraw, and process memory.

Goals (issue): first paint ≤ 0.5 s, keystroke → redraw ≤ 50 ms at 100k offers,
memory ≤ 250 MB. Baselines measured in the same run: a bare Textual app's first
paint in the same terminal, and the same keystrokes on a 100-offer feed.
`python -m bench tui` runs it; N_OFFERS in the environment changes the size.
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.homes import build_home

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
N_OFFERS = int(os.environ.get("N_OFFERS", "100000"))
DAY = 86_400


# -- a real terminal -------------------------------------------------------------


def _command() -> list[str]:
    script = Path(sys.executable).with_name("p2pshare")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


class Terminal:
    def __init__(self) -> None:
        self.socket = f"p2pshare-bench-{os.getpid()}"

    def tmux(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        return out.stdout

    def start(self, name: str, line: str) -> float:
        started = time.perf_counter()
        self.tmux("new-session", "-d", "-s", name, "-x", "120", "-y", "40", f"cd {ROOT} && {line}")
        self.tmux("resize-window", "-t", name, "-x", "120", "-y", "40")
        return started

    def until(self, name: str, predicate: Callable[[str], bool], timeout: float = 30) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if predicate(self.tmux("capture-pane", "-p", "-t", name)):
                return time.perf_counter()
            time.sleep(0.005)
        return float("nan")

    def close(self) -> None:
        self.tmux("kill-server")


BARE_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class A(App):\n"
    "    def compose(self):\n"
    "        yield Static('bare textual app')\n"
    "A().run()\n"
)


def bench_start() -> None:
    if shutil.which("tmux") is None:
        print("start: tmux is not installed; skipped")
        return
    root = Path(tempfile.mkdtemp(prefix="p2pshare-bench-"))
    term = Terminal()
    try:
        script = root / "bare.py"
        script.write_text(BARE_APP)
        t0 = term.start("bare", f"{sys.executable} {script}")
        bare = term.until("bare", lambda s: "bare textual app" in s) - t0
        for name in ("alice", "bob"):
            subprocess.run(
                [*_command(), "--home", str(root / name), "init", "--name", name],
                check=True,
                capture_output=True,
            )
        cmd = " ".join(_command())
        t0 = term.start("alice", f"{cmd} --home {root / 'alice'} --no-mdns")
        paint = term.until("alice", lambda s: "p2pshare — Feed" in s) - t0
        online = term.until("alice", lambda s: "● online" in s) - t0
        invite = subprocess.run(
            [*_command(), "--home", str(root / "alice"), "invite"], capture_output=True, text=True
        ).stdout.strip()
        t0 = term.start("bob", f"{cmd} --home {root / 'bob'} --no-mdns --peer {invite}")
        paint_b = term.until("bob", lambda s: "p2pshare — Feed" in s) - t0
        connected = term.until("bob", lambda s: "1 peer " in s) - t0
        print("start, in tmux (120x40)               measured   goal    baseline")
        print(
            f"  first paint                          {paint * 1000:6.0f} ms  500 ms"
            f"  bare Textual app {bare * 1000:.0f} ms"
        )
        print(f"  online (node listening)              {online * 1000:6.0f} ms")
        print(f"  second member: first paint           {paint_b * 1000:6.0f} ms")
        print(f"  second member: connected to first    {connected * 1000:6.0f} ms")
    finally:
        term.close()
        shutil.rmtree(root, ignore_errors=True)


# -- a big feed ------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def keystrokes(home_dir: Path) -> dict[str, Any]:
    """Open the app headless on `home_dir` and time keystroke → redraw."""
    from p2pshare.member.home import Home
    from tui.app import P2PShareApp
    from tui.launch import LocalHome
    from tui.screens.feed import FeedScreen
    from tui.widgets.offer_list import OfferList

    app = P2PShareApp(LocalHome(Home.resolve(home_dir)), start_network=False)
    out: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        t0 = time.perf_counter()
        while not (isinstance(app.screen, FeedScreen) and app.screen.loaded):
            await pilot.pause(0.01)
        out["first load"] = time.perf_counter() - t0
        screen = app.screen
        offers = screen.query_one(OfferList)
        out["rows"] = len(offers.items)

        async def timed(action: Callable[[], object], n: int) -> list[float]:
            times = []
            for _ in range(n):
                t = time.perf_counter()
                result = action()
                if asyncio.iscoroutine(result):
                    await result
                await pilot.pause()  # processed and repainted
                times.append(time.perf_counter() - t)
            return times

        def direct(action: Callable[[], object], n: int) -> list[float]:
            """The app's work for a keystroke: the handler, then every visible line rendered."""
            times = []
            for _ in range(n):
                t = time.perf_counter()
                action()
                for y in range(offers.size.height):
                    offers.render_line(y)
                times.append(time.perf_counter() - t)
            return times

        out["direct down"] = direct(offers.action_cursor_down, 200)
        out["direct page down"] = direct(offers.action_page_down_rows, 50)
        out["direct filter"] = (
            direct(lambda: screen._set_filters(skills=("design",)), 1)
            + direct(lambda: screen._set_filters(skills=()), 1)
            + direct(lambda: screen._set_filters(skills=("legal",)), 1)
            + direct(lambda: screen._set_filters(skills=()), 1)
        )
        out["direct search"] = []
        for i in range(1, len("opportunity 12") + 1):
            text = "opportunity 12"[:i]
            out["direct search"] += direct(functools.partial(screen._set_filters, search=text), 1)
        out["direct search"] += direct(lambda: screen._set_filters(search=""), 1)
        offers.action_first()

        out["down"] = await timed(lambda: pilot.press("down"), 40)
        out["page down"] = await timed(lambda: pilot.press("pagedown"), 20)
        out["end"] = await timed(lambda: pilot.press("end"), 3)
        await pilot.press("x")
        skills = screen.query_one("#f-skills")

        def set_skill(value: str) -> Callable[[], None]:
            return lambda: setattr(skills, "value", value)

        out["filter"] = (
            await timed(set_skill("design"), 1)
            + await timed(set_skill(""), 1)
            + await timed(set_skill("legal"), 1)
            + await timed(set_skill(""), 1)
        )
        await pilot.press("x", "slash")
        out["search (typing)"] = []
        for ch in "opportunity 12":
            key = "space" if ch == " " else ch
            out["search (typing)"] += await timed(functools.partial(pilot.press, key), 1)
        out["rss"] = rss_mb()
        await pilot.press("escape", "escape")
        t = time.perf_counter()
        assert app.node is not None
        await app.node.feed()
        out["api.feed() warm"] = time.perf_counter() - t
    return out


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    return f"median {statistics.median(values) * 1000:5.1f} ms  max {max(values) * 1000:5.1f} ms"


def bench_feed() -> None:
    root = Path(tempfile.mkdtemp(prefix="p2pshare-bench-feed-"))
    try:
        results = {}
        for n in (100, N_OFFERS):
            home, ingest = build_home(root / str(n), n)
            results[n] = asyncio.run(keystrokes(home))
            results[n]["ingest"] = ingest
        big, small = results[N_OFFERS], results[100]
        print(
            f"\nfeed of {N_OFFERS:,} offers (baseline: 100 offers), headless 120x40,"
            " keystroke → repaint"
        )
        print("  the app's work per keystroke (handler + render of every visible line):")
        for key in ("direct down", "direct page down", "direct filter", "direct search"):
            print(f"  {key[7:]:16} {_ms(big[key])}   (baseline {_ms(small[key])})  goal 50 ms")
        print(
            "  Pilot round trip (press → processed → idle → repaint; includes Pilot's own waits):"
        )
        for key in ("down", "page down", "end", "filter", "search (typing)"):
            print(f"  {key:16} {_ms(big[key])}   (baseline {_ms(small[key])})")
        print(
            f"  first load       {big['first load'] * 1000:7.0f} ms"
            f" (baseline {small['first load'] * 1000:.0f} ms)"
            "  — then node.feed(), the kept feed copied"
            f": {big['api.feed() warm'] * 1000:.0f} ms warm"
        )
        print(
            f"  process RSS      {big['rss']:7.0f} MB (baseline {small['rss']:.0f} MB)  goal 250 MB"
        )
        print(f"  (ingest of the records into the store: {big['ingest']:.1f} s)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    bench_start()
    bench_feed()


if __name__ == "__main__":
    main()
