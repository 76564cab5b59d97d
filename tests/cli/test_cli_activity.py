"""`p2pshare activity [--json]` (issue 14): what needs you, and what became of your forwards.

Three homes; records move between them by export and import, as in test_cli.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from cli_homes import Homes

from p2pshare.cli import main as cli

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def homes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Homes:
    h = Homes(tmp_path, capsys)
    for name in ("alice", "bob", "carol"):
        h.run(name, "init", "--name", name.capitalize())
    h.sync("alice", "bob", "carol")
    return h


def kinds(items: list[dict[str, Any]]) -> list[str]:
    return [item["kind"] for item in items]


def test_the_forwarder_sees_every_step_and_the_taker_is_asked_to_confirm(homes: Homes) -> None:
    offer = homes.run("alice", "offer", "post", "--title", "Keynote in Atlanta", "--contact", "j@x")
    assert homes.json("bob", "activity") == []
    homes.sync("alice", "bob")
    homes.run("bob", "offer", "forward", offer[:12], "--to", "Carol")
    homes.sync("bob", "carol")
    carol = homes.json("carol", "activity")
    assert kinds(carol) == ["forwarded_to_me"]
    assert carol[0]["who_name"] == "Bob"
    homes.run("carol", "offer", "accept", offer[:12])
    homes.sync("alice", "bob", "carol")
    alice = homes.json("alice", "activity")
    assert kinds(alice) == ["accepted"]
    assert alice[0]["needs_you"]
    assert alice[0]["action"] == "handoff"
    homes.run("alice", "offer", "handoff", offer[:12], "--to", "Carol")
    homes.run("alice", "offer", "outcome", offer[:12], "--fulfilled", "--rating", "4")
    homes.sync("alice", "bob", "carol")
    carol = homes.json("carol", "activity")
    confirm = next(i for i in carol if i["kind"] == "outcome_to_confirm")
    assert confirm["needs_you"]
    assert confirm["action"] == "confirm"
    assert confirm["outcome"] == {"fulfilled": True, "rating": 4, "value": 0, "note": ""}
    assert "handed_to_me" in kinds(carol)
    homes.run("carol", "offer", "outcome", offer[:12], "--fulfilled")
    homes.sync("alice", "bob", "carol")
    assert not any(i["needs_you"] for i in homes.json("carol", "activity"))
    assert "confirmed" in kinds(homes.json("alice", "activity"))
    bob = homes.json("bob", "activity")
    assert set(kinds(bob)) == {
        "accepted_forward",
        "handed_forward",
        "outcome_forward",
        "confirmed_forward",
    }
    assert all(i["offer"] == bob[0]["offer"] for i in bob)
    assert bob == sorted(bob, key=lambda i: (-i["at"], i["id"]))
    text = homes.run("alice", "activity")
    assert "Carol accepted your offer" in text


def test_a_vouch_received_is_in_activity(homes: Homes) -> None:
    homes.run("alice", "vouch", "Bob", "--skill", "design")
    homes.sync("alice", "bob")
    (item,) = homes.json("bob", "activity")
    assert item["kind"] == "vouched"
    assert item["text"] == "Alice vouched for you for design"
    assert item["action"] == ""


def test_activity_help_has_an_example(homes: Homes, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert cli.main(["activity", "--help"]) == 0
    assert "examples:" in capsys.readouterr().out


def test_decline_tells_the_forwarder_and_hides_the_offer(homes: Homes) -> None:
    offer = homes.run("alice", "offer", "post", "--title", "Tax audit")
    homes.sync("alice", "bob", "carol")
    homes.run("bob", "offer", "forward", offer[:12], "--to", "Carol")
    homes.sync("bob", "carol")
    homes.run("carol", "offer", "decline", offer[:12], "--note", "not my field")
    homes.sync("bob", "carol", "alice")
    declined = [i for i in homes.json("bob", "activity") if i["kind"] == "declined"]
    assert [i["text"] for i in declined] == ["Carol declined “Tax audit”: not my field"]
    # the note is sealed to Bob: Alice sees nothing of it
    assert not [i for i in homes.json("alice", "activity") if i["kind"] == "declined"]


def test_a_conversation_about_an_offer(homes: Homes) -> None:
    offer = homes.run("alice", "offer", "post", "--title", "Keynote in Lyon")
    homes.sync("alice", "bob", "carol")
    homes.run("bob", "offer", "forward", offer[:12], "--to", "Carol")
    homes.sync("bob", "carol")
    homes.run("carol", "offer", "accept", offer[:12])
    homes.sync("alice", "bob", "carol")
    homes.run("carol", "offer", "say", offer[:12], "Is the date fixed?")
    homes.sync("alice", "bob", "carol")
    homes.run("alice", "offer", "say", offer[:12], "Yes: 12 March.")
    homes.sync("alice", "bob", "carol")
    for who in ("alice", "bob", "carol"):
        talk = homes.json(who, "offer", "say", offer[:12], "--list")
        # both said within one second here: same date, so in id order
        assert {(m["who_name"], m["text"]) for m in talk} == {
            ("you" if who == "carol" else "Carol", "Is the date fixed?"),
            ("you" if who == "alice" else "Alice", "Yes: 12 March."),
        }
    messages = [i for i in homes.json("bob", "activity") if i["kind"] == "message"]
    assert {m["text"] for m in messages} == {
        "Alice about “Keynote in Lyon”: Yes: 12 March.",
        "Carol about “Keynote in Lyon”: Is the date fixed?",
    }


def test_every_option_has_help_and_every_subcommand_an_example() -> None:
    import argparse

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        leaf = True
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                leaf = False
                for name, child in action.choices.items():
                    walk(child, (*path, name))
            else:
                assert action.help, (path, action.option_strings or action.dest)
        if leaf and path:
            assert parser.epilog, path
            assert "example" in parser.epilog, path

    walk(cli.build_parser(), ())
