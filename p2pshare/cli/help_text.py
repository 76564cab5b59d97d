"""Help for every option, and an example in every subcommand's --help (issue 14).

Applied to the parser after it is built (main.build_parser), so an option that
says nothing of itself still says something, and each subcommand ends its
--help with a line to copy.
"""

from __future__ import annotations

import argparse

HELPS = {
    "--name": "your display name",
    "--skills": "comma separated, e.g. 'python, data'",
    "--headline": "what you do, in a line",
    "--region": "where, e.g. 'Lisbon, PT'",
    "--json": "machine-readable output (README §JSON)",
    "--available": "yes or no: open for work",
    "--title": "one line, at most 200 characters",
    "--body": "the description (several lines are fine)",
    "--expires": "days it stays open (default 30)",
    "offer": "an offer id, or a unique prefix of it",
    "--to": "a member id, a unique prefix of one, or a unique name",
    "--network": "to everyone, not to one member",
    "--note": "a short note",
    "--fulfilled": "the work was done",
    "--not-fulfilled": "the work was not done",
    "--rating": "1 to 5 stars (0: no rating)",
    "--reason": "why, in a line",
    "member": "a member id, a unique prefix of one, or a unique name",
    "--skill": "for this skill (repeatable)",
    "vouch": "the vouch's record id, or a unique prefix of it",
    "file": "the export file",
    "--undo": "take it back",
    "--explain": "the paths and evidence behind the score",
    "--peers": "how many personas (default 6)",
}

EXAMPLES = {
    "init": "p2pshare init --name 'Ana Reis' --skills 'ux, research' --headline 'UX lead'",
    "id": "p2pshare id --json",
    "recovery-words": "p2pshare recovery-words",
    "serve": "p2pshare serve --listen /ip4/0.0.0.0/tcp/4001",
    "invite": "p2pshare invite",
    "profile set": "p2pshare profile set --skills 'ux, research' --available yes",
    "offer post": "p2pshare offer post --title 'Keynote in Lisbon' --skills keynote "
    "--value '5000 EUR' --contact ana@example.org",
    "offer forward": "p2pshare offer forward 3fa2c1 --to Priya --note 'made for you'",
    "offer accept": "p2pshare offer accept 3fa2c1 --note 'free from March'",
    "offer handoff": "p2pshare offer handoff 3fa2c1 --to Priya",
    "offer outcome": "p2pshare offer outcome 3fa2c1 --fulfilled --rating 5",
    "offer reply": "p2pshare offer reply 3fa2c1 --note 'it was delivered on the 3rd'",
    "offer withdraw": "p2pshare offer withdraw 3fa2c1 --reason 'filled elsewhere'",
    "vouch": "p2pshare vouch Priya --skill python",
    "revoke": "p2pshare revoke 9c1e07",
    "offers": "p2pshare offers --json",
    "peers": "p2pshare peers",
    "stats": "p2pshare stats --json",
    "show": "p2pshare show 3fa2c1",
    "trust": "p2pshare trust Priya --explain",
    "export": "p2pshare export ~/p2pshare-backup.bin",
    "import": "p2pshare import ~/p2pshare-backup.bin",
    "mute": "p2pshare mute Rex",
    "block": "p2pshare block Rex --undo",
    "demo": "p2pshare demo --peers 4 --dir ~/p2pshare-demo",
    "device add": "p2pshare device add --label laptop",
    "device list": "p2pshare device list --json",
    "device rotate-root": "p2pshare device rotate-root --label desk",
    "device revoke": "p2pshare device revoke 12D3KooWQx --reason stolen --since 2026-03-01",
}


def add_help(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    """Fill in missing option help and examples, through every subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                add_help(child, (*path, name))
        elif not action.help:
            key = action.option_strings[0] if action.option_strings else action.dest
            action.help = HELPS.get(key, action.help)
    example = EXAMPLES.get(" ".join(path))
    if example and not parser.epilog:
        parser.epilog = f"example:\n  {example}"
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
