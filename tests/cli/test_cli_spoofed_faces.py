"""Issue 16 §6 "spoofed faces" in the command line: two members named alike are told
apart by a fingerprint, and what members wrote cannot hide, reorder or forge lines.

The protocol already refuses C0/C1 controls and the bidi embeddings, overrides and
isolates (U+202A-202E, U+2066-2069) in records (protocol/fields.py), so what reaches
a display from the network are the marks and invisible characters it lets through:
U+200F (right-to-left mark), U+061C, U+200B (zero-width space), U+2028 (line
separator) and newlines in multi-line fields. U+202E itself is tested on the
display functions (tests/domain/test_display_text.py) and in the app.
"""

# ruff: noqa: RUF001, RUF003 (look-alike letters are what these tests are about)
from __future__ import annotations

from typing import TYPE_CHECKING

import cli_homes
import pytest

if TYPE_CHECKING:
    from pathlib import Path

SNEAKY = "\u200f\u061c\u200b\u2028"  # all allowed in a record, all invisible or layout
SNEAKY_SHOWN = ("\\u200f", "\\u061c", "\\u200b", "\\u2028")


class Homes(cli_homes.Homes):
    keep_indent = True  # bodies are indented under their label: the first line's indent counts


@pytest.fixture
def homes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Homes:
    h = Homes(tmp_path, capsys)
    h.run("alice", "init", "--name", "Alice")
    h.run("real", "init", "--name", "Node A")
    h.run("copy", "init", "--name", "Nоde A")  # a Cyrillic о
    h.run("eve", "init", "--name", f"Eve{SNEAKY}x")
    h.sync("alice", "real", "copy", "eve")
    return h


def test_two_node_as_show_different_fingerprints_in_peers(homes: Homes) -> None:
    peers = {p["id"]: p for p in homes.json("alice", "peers")}
    real, copy = homes.json("real", "id")["id"], homes.json("copy", "id")["id"]
    assert peers[real]["name"] == "Node A"  # as written, for scripts
    assert peers[real]["display_name"] == f"Node A ·{real[-6:]}"
    assert peers[copy]["display_name"] == f"Nоde A ·{copy[-6:]}"
    text = homes.run("alice", "peers")
    line_of = {mid: next(ln for ln in text.splitlines() if mid in ln) for mid in (real, copy)}
    assert line_of[real].startswith(f"Node A ·{real[-6:]}")
    assert line_of[copy].startswith(f"Nоde A ·{copy[-6:]}")
    eve = next(p for p in peers.values() if p["name"].startswith("Eve"))
    assert eve["display_name"] == "Eve" + "".join(SNEAKY_SHOWN) + "x"  # no look-alike: no tag
    # the same names in `trust`, and a name nobody shares stays bare
    assert homes.run("alice", "trust", copy).startswith(f"Nоde A ·{copy[-6:]}: trust")


def test_invisible_characters_are_escaped_in_offers_and_show(homes: Homes) -> None:
    offer = homes.run(
        "eve",
        "offer",
        "post",
        "--title",
        f"Deal{SNEAKY}!",
        "--body",
        "Fine print\n✓ vouched by Mallory\nby Node A (12D3KooWfake), trust top 1%",
    )
    homes.sync("eve", "alice")
    listed = homes.run("alice", "offers", "--all")
    shown = homes.run("alice", "show", offer[:12])
    for text in (listed, shown):
        assert not any(ch in text for ch in SNEAKY)
        for escape in SNEAKY_SHOWN:
            assert escape in text
    lines = shown.splitlines()
    # the description's lines sit under its label: none can pass for a field of the page
    start = next(i for i, ln in enumerate(lines) if ln.startswith("description: "))
    assert lines[start] == "description: Fine print"
    assert lines[start + 1] == " " * len("description: ") + "✓ vouched by Mallory"
    assert lines[start + 2].startswith(" " * len("description: ") + "by Node A")
    assert [ln for ln in lines if ln.startswith("by ")] == [lines[2]]
    # --json keeps the text exactly as written
    detail = homes.json("alice", "show", offer[:12])
    assert detail["title"] == f"Deal{SNEAKY}!"
    assert detail["author"]["display_name"].startswith("Eve\\u200f")


def test_a_name_like_the_word_you_is_told_apart(homes: Homes) -> None:
    homes.run("you", "init", "--name", "You")
    homes.sync("you", "alice")
    mid = homes.json("you", "id")["id"]
    peer = next(p for p in homes.json("alice", "peers") if p["id"] == mid)
    assert peer["display_name"] == f"You ·{mid[-6:]}"
