"""The line above the footer: node state, peers, sync, community, unread count."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static


@dataclass(frozen=True, slots=True)
class StatusInfo:
    state: str = "offline"  # offline | starting | online | failed
    reason: str = ""
    peers: int = 0
    syncing: int = 0
    community: str = ""
    unread: int = 0
    activity: int = 0  # activity items not read yet (the tab line shows it)
    needs_you: int = 0  # of which an action of mine waits on
    reachability: str = "unknown"  # public: peers can dial us; private: through relays


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
        &.-online { color: $text; }
        &.-failed { background: $error 35%; color: $text; }
        &.-starting { color: $warning; }
    }
    """

    def show(self, info: StatusInfo) -> None:
        for state in ("online", "failed", "starting", "offline"):
            self.set_class(info.state == state, f"-{state}")
        text = Text()
        if info.state == "online":
            text.append("● online", "bold green")
        elif info.state == "starting":
            text.append("◌ starting…", "bold yellow")
        elif info.state == "failed":
            text.append(f"✖ failed: {info.reason}", "bold")
        else:
            text.append(f"○ offline{': ' + info.reason if info.reason else ''}")
        text.append(f"  │  {info.peers} peer{'s' if info.peers != 1 else ''}")
        if info.syncing:
            text.append(f"  │  syncing with {info.syncing}")
        elif info.state == "online" and info.peers:
            text.append("  │  in sync")
        if info.state == "online" and info.reachability == "public":
            text.append("  │  reachable")
        elif info.state == "online" and info.reachability == "private":
            text.append("  │  behind NAT: via relays")
        if info.community:
            text.append(f"  │  community {info.community}")
        text.append("  │  ")
        text.append(f"{info.unread} unread", "bold" if info.unread else "")
        self.update(text)
