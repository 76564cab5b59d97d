"""display_text and lookalike_names (issue 16 §6): what a terminal shows of what members
wrote, and which names are told apart."""

# ruff: noqa: RUF001 (look-alike letters are what these tests are about)
from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from p2pshare.domain.display_text import block, fit_name, one_line, standing_text
from p2pshare.domain.lookalike_names import (
    fingerprints,
    lookalike_groups,
    shown_name,
    skeleton,
)

HIDDEN = "\u202e\u202a\u2066\u2069\u200e\u200f\u061c\u200b\u2060\ufeff\u00ad\u2028\u2029\x1b\x85"


def test_a_right_to_left_override_in_a_name_is_shown_as_an_escape() -> None:
    assert one_line("Eve\u202elive.exe") == "Eve\\u202elive.exe"
    assert one_line("a\x1b[2Jb\tc\nd") == "a\\x1b[2Jb\\tc\\nd"
    for ch in HIDDEN:
        assert ch not in one_line(f"x{ch}y"), hex(ord(ch))


def test_visible_text_of_every_script_is_left_alone() -> None:
    for text in (
        "Zoë Ōtomo",
        "Đặng Thị",
        "Ελένη",
        "Олена",
        "محمد‌رضا",
        "山田 太郎",
        "👩‍💻 dev",
        "❤️",
    ):
        assert one_line(text) == text


def test_a_stack_of_combining_marks_is_cut_and_a_lone_one_escaped() -> None:
    assert one_line("\u0301a") == "\\u0301a"
    shown = one_line("e" + "\u0301" * 9)
    assert shown.startswith("e" + "\u0301" * 5)
    assert shown.count("\\u0301") == 4


def test_a_body_cannot_forge_a_line_of_the_page() -> None:
    label = "description: "
    lines = (label + block("Fine print\n✓ vouched by Mallory\r\n\u2028x", " " * 13)).split("\n")
    assert lines == [
        "description: Fine print",
        "             ✓ vouched by Mallory",
        "             \\u2028x",
    ]


@given(st.text(), st.text(alphabet=" ", max_size=8))
def test_escaping_is_idempotent_and_leaves_nothing_invisible(text: str, indent: str) -> None:
    once = one_line(text)
    assert one_line(once) == once
    assert "\n" not in once
    for ch in once:
        assert (
            unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp") or ch in "\u200c\u200d"
        )
    for line in block(text, indent).split("\n")[1:]:
        assert line.startswith(indent)


def test_standings_in_words() -> None:
    assert [standing_text(s) for s in (1.0, 0.88, 0.5, 0.0)] == [
        "top 1%", "top 12%", "top 50%", "none",
    ]  # fmt: skip


def test_look_alike_names_share_a_skeleton_and_others_do_not() -> None:
    alike = [
        "Node A",
        "node a",
        "Nоde A",
        "Νode Α",
        "N0de A",
        "NODE  A.",
        "Ｎｏｄｅ Ａ",
        "No\u200bde A",
    ]
    assert {skeleton(name) for name in alike} == {skeleton("Node A")}
    assert skeleton("Node A ·k3Xq9z") == skeleton("Node A")  # a borrowed fingerprint
    assert len({skeleton(n) for n in ("Node A", "Node B", "Bob 🎸", "Bob 🎹")}) == 4


def test_only_look_alikes_get_fingerprints_long_enough_to_differ() -> None:
    names = {"k1": "Node A", "k2": "Nоde A", "k3": "Carol", "k4": "you"}
    ids = {
        "k1": "12D3KooWxAAAAAA",
        "k2": "12D3KooWyAAAAAA",
        "k3": "z",
        "k4": "12D3KooWq12345",
    }
    tags = fingerprints(lookalike_groups(names), ids.__getitem__)
    assert tags == {"k1": "xAAAAAA", "k2": "yAAAAAA", "k4": "q12345"}  # 6 not enough for 1, 2
    assert shown_name("Nоde A", tags["k2"]) == "Nоde A ·yAAAAAA"
    assert shown_name("Carol\u202e") == "Carol\\u202e"


def test_a_cut_name_keeps_its_fingerprint() -> None:
    assert fit_name("A long name here", "A long name here ·k3Xq9z", 16) == "A long … ·k3Xq9z"
    assert fit_name("Bob", "Bob ·k3Xq9z", 16) == "Bob ·k3Xq9z"
    assert fit_name("A very long name indeed", "A very long name indeed", 10) == "A very lo…"
