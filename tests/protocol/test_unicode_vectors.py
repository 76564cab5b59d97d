"""The Unicode rule: no validation rule depends on a Unicode version.

Lower-casing a skill follows the runtime's Unicode tables (Python 3.11 has
Unicode 14; a current JavaScript engine has 15 or 16, and they differ on dozens
of code points). If receivers checked it, two implementations would split on
which gossip is valid, and "5 invalid records: blocked" could partition the
network. So the author normalises, and a receiver accepts any well-formed skill:
no comma, no whitespace but single spaces between words, and whitespace is a
fixed list of code points (docs/PROTOCOL.md §Field rules).
"""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

import protocol as p
from p2pshare.domain.ledger import Ledger
from p2pshare.store import Store
from p2pshare.store.records import IngestStatus
from protocol import fields

ROOT = Path(__file__).resolve().parents[2]
VECTORS: dict[str, Any] = json.loads(
    (ROOT / "tests" / "vectors" / "records.json").read_text(encoding="utf-8")
)
ACCEPTED: list[dict[str, Any]] = VECTORS["acceptances"]
SUBJECT = p.PublicKey(bytes.fromhex(VECTORS["members"]["bob"]["ed25519_public"]))


def _vouch(*skills: str) -> p.Vouch:
    return p.Vouch(subject=SUBJECT, skills=skills, note="")


@pytest.mark.parametrize(
    "skill",
    [
        "UX Design",  # upper case: another client's lower-casing, or none
        "ΑΣ",  # capital sigma, not lowered
        "\u1c89",  # a capital letter of Unicode 16, unknown to Unicode 14
        "İstanbul",  # lower-cases to two code points in full case mapping
        "ux\u200bdesign",  # a zero-width space is not whitespace
        "x" * 48,
    ],
)
def test_well_formed_skills_are_accepted_whatever_their_case(skill: str) -> None:
    assert _vouch(skill).skills == (skill,)


@pytest.mark.parametrize(
    "skill",
    [
        " ux",
        "ux ",
        "ux  design",
        "ux\u00a0design",  # no-break space: whitespace, and not U+0020
        "ux\u3000design",
        "ux\u2028design",
        "a,b",
        "",
        "x" * 49,
        "a\u202eb",
    ],
)
def test_malformed_skills_are_refused(skill: str) -> None:
    with pytest.raises(p.MalformedRecord):
        _vouch(skill)


def test_repeats_are_exact_code_point_equality() -> None:
    assert _vouch("ux", "UX").skills == ("ux", "UX")  # distinct strings: both kept
    with pytest.raises(p.MalformedRecord):
        _vouch("UX", "UX")


@pytest.mark.parametrize("vector", ACCEPTED, ids=[v["label"] for v in ACCEPTED])
def test_a_received_record_with_foreign_skills_is_stored_and_counted(
    vector: dict[str, Any], tmp_path: Path
) -> None:
    data = bytes.fromhex(vector["bytes"])
    with Store.open(tmp_path / "records.db") as store:
        result = store.ingest(data, now=2_000_000_000)
        assert result.status is IngestStatus.ADDED, result.reason
    env = p.decode(data)
    ledger = Ledger.build([env], now=env.created_at)
    assert not ledger.rejected
    if isinstance(env.body, p.Vouch):
        assert [e.skills for e in ledger.vouches] == [env.body.skills]
    else:
        assert env.id in ledger.offers


def test_authors_normalise() -> None:
    assert p.normalize_skills(["UX  Design", "ux design", " ΑΣ "]) == ("ux design", "ας")
    assert p.normalize_skill("a\u00a0\u3000b") == "a b"


def test_whitespace_is_the_documented_list() -> None:
    spec = (ROOT / "docs" / "PROTOCOL.md").read_text(encoding="utf-8")
    listed = re.search(r"<!-- whitespace -->(.*?)<!-- /whitespace -->", spec, re.S)
    assert listed is not None, "PROTOCOL.md lists the whitespace code points"
    points: set[str] = set()
    pattern = "U\\+([0-9A-F]{4})(?:\u2013U\\+([0-9A-F]{4}))?"  # a code point, or an en-dash range
    for lo, hi in re.findall(pattern, listed.group(1)):
        points.update(chr(c) for c in range(int(lo, 16), int(hi or lo, 16) + 1))
    assert points == fields.WHITESPACE
    if unicodedata.unidata_version == "14.0.0":  # the list is Python 3.11's str.isspace
        assert {chr(c) for c in range(0x110000) if chr(c).isspace()} == fields.WHITESPACE


_CASE_DEPENDENT = {"lower", "upper", "casefold", "title", "swapcase", "isspace", "isalpha"}
_CASE_DEPENDENT |= {"isupper", "islower", "isdigit", "isnumeric", "isalnum", "isidentifier"}


def test_no_validation_rule_reads_a_unicode_table() -> None:
    """protocol/ never imports unicodedata; outside the authoring helpers, no check calls
    a str method whose answer depends on the Unicode version, nor split/strip without
    arguments (their whitespace is the runtime's)."""
    authoring = {"normalize_skill", "normalize_skills"}
    for path in sorted((ROOT / "protocol").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert "unicodedata" not in names, path
        if path.name not in ("fields.py", "envelope.py", "records.py"):
            continue
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef) or func.name in authoring:
                continue
            for node in ast.walk(func):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                receiver = node.func.value
                if isinstance(receiver, ast.Attribute) and receiver.attr == "__name__":
                    continue  # a class name in an error message
                name = node.func.attr
                where = f"{path.name}: {func.name} calls .{name}()"
                assert name not in _CASE_DEPENDENT, where
                assert name not in ("split", "strip", "lstrip", "rstrip") or node.args, where
