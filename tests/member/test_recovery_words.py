"""The paper backup (issue 15): words that give back the same member, and clear refusals.

- 24 words for an identity grown from a root seed, 48 for one made before; both
  restore the same keys: the same member id, the same sealing key, records that
  verify as the member's.
- The words are standard BIP-39 and the key derivation is the documented HKDF, so
  another implementation can restore a p2pshare member from its words.
- Any case, whitespace, commas and position numbers are read; an unknown word (with
  the closest list word), a wrong count and a failed checksum are refused by name.
"""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from p2pshare.errors import UserError
from p2pshare.member import identity as ident
from p2pshare.member.recovery import (
    MAX_TEXT,
    RecoveryError,
    identity_from_words,
    paper,
    words_for,
)
from p2pshare.member.sealing import open_text, seal_text
from protocol import Profile, decode, encode, member_id, seal_context, sign

SEED = bytes(range(32))
WORDLIST = Mnemonic("english").wordlist
keys32 = st.binary(min_size=32, max_size=32)


def older(signing: bytes, sealing: bytes) -> ident.Identity:
    """An identity as made before root seeds: two independent keys."""
    return ident.Identity(
        Ed25519PrivateKey.from_private_bytes(signing), X25519PrivateKey.from_private_bytes(sealing)
    )


def raw(identity: ident.Identity) -> tuple[bytes, bytes]:
    return identity.signing_key.private_bytes_raw(), identity.seal_key.private_bytes_raw()


def assert_same_member(restored: ident.Identity, original: ident.Identity) -> None:
    """What other members notice: the id, the sealing key, and signatures."""
    assert restored.member_id == original.member_id
    assert restored.seal_public == original.seal_public
    profile = Profile(
        name="Ann", headline="", skills=(), region="", available=True, seal_key=original.seal_public
    )
    record = decode(encode(sign(profile, key=restored.signing_key, created_at=1_700_000_000)))
    assert member_id(record.author) == original.member_id
    context = seal_context("test.recovery", original.public_key)
    sealed = seal_text("call me on 555 0100", original.seal_public, context)
    assert open_text(sealed, restored.seal_key, context) == "call me on 555 0100"


# -- round trips ------------------------------------------------------------------


def test_a_new_identity_is_24_words_that_restore_it() -> None:
    original = ident.generate()
    words = words_for(original)
    assert len(words) == 24
    assert set(words) <= set(WORDLIST)
    restored = identity_from_words(" ".join(words))
    assert_same_member(restored, original)
    assert restored.root_seed == original.root_seed
    assert words_for(restored) == words  # a restored member can show the same backup again


def test_an_identity_made_before_root_seeds_is_48_words_that_restore_it() -> None:
    original = older(Ed25519PrivateKey.generate().private_bytes_raw(), bytes(range(1, 33)))
    words = words_for(original)
    assert len(words) == 48
    restored = identity_from_words(" ".join(words))
    assert_same_member(restored, original)
    assert restored.root_seed is None
    assert raw(restored) == raw(original)


@settings(max_examples=200, deadline=None)
@given(seed=keys32)
def test_any_root_seed_round_trips_through_its_words(seed: bytes) -> None:
    original = ident.from_seed(seed)
    restored = identity_from_words(" ".join(words_for(original)))
    assert restored.root_seed == seed
    assert raw(restored) == raw(original)


@settings(max_examples=200, deadline=None)
@given(signing=keys32, sealing=keys32)
def test_any_pair_of_older_keys_round_trips_through_their_words(
    signing: bytes, sealing: bytes
) -> None:
    restored = identity_from_words(" ".join(words_for(older(signing, sealing))))
    assert raw(restored) == (signing, sealing)


def test_the_words_are_standard_bip39() -> None:
    """BIP-39's own vector: 32 zero bytes are "abandon" 23 times, then "art"."""
    assert words_for(ident.from_seed(bytes(32))) == ["abandon"] * 23 + ["art"]
    assert words_for(ident.from_seed(SEED)) == Mnemonic("english").to_mnemonic(SEED).split()


def _hkdf_sha256(seed: bytes, info: bytes) -> bytes:
    """RFC 5869 with no salt and 32 bytes out (one block), written out by hand."""
    prk = hmac.new(bytes(32), seed, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_the_keys_grow_from_the_seed_as_documented() -> None:
    """The info strings are part of the format: this fails if either one changes."""
    grown = ident.from_seed(SEED)
    assert raw(grown) == (
        _hkdf_sha256(SEED, b"p2pshare:identity:ed25519:v1"),
        _hkdf_sha256(SEED, b"p2pshare:identity:x25519:v1"),
    )
    assert grown.signing_key.private_bytes_raw() != grown.seal_key.private_bytes_raw()


def test_a_seed_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ident.IdentityError, match="a root seed is 32 bytes, not 31"):
        ident.from_seed(bytes(31))


# -- what a person types ----------------------------------------------------------

WORDS = words_for(ident.from_seed(SEED))


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(" ".join(WORDS).upper(), id="upper case"),
        pytest.param("\n\n  " + "\t".join(WORDS) + "  \r\n", id="tabs and blank lines"),
        pytest.param(", ".join(WORDS), id="commas"),
        pytest.param(paper(WORDS), id="as printed, numbers included"),
        pytest.param(" ".join(f"{n}) {w}" for n, w in enumerate(WORDS, 1)), id="numbered 1)"),
        pytest.param("\u3000".join(w.title() for w in WORDS), id="ideographic spaces, Title"),
        pytest.param(  # full-width letters, as some input methods type them
            " ".join("".join(chr(ord(c) + 0xFEE0) for c in w) for w in WORDS), id="full width"
        ),
    ],
)
def test_words_are_read_however_they_were_typed(typed: str) -> None:
    assert identity_from_words(typed).root_seed == SEED


def test_paper_numbers_the_words_four_to_a_line() -> None:
    lines = paper(WORDS).splitlines()
    assert len(lines) == 6
    assert lines[0].split() == ["1.", WORDS[0], "2.", WORDS[1], "3.", WORDS[2], "4.", WORDS[3]]
    assert lines[-1].split()[-1] == WORDS[23]
    assert len(paper(words_for(older(SEED, SEED))).splitlines()) == 12


# -- refusals ---------------------------------------------------------------------


def refusal(text: str) -> str:
    with pytest.raises(RecoveryError) as caught:
        identity_from_words(text)
    assert isinstance(caught.value, UserError)  # shown as one line, not a traceback
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_misspelt_word_is_named_with_the_word_meant() -> None:
    typed = [*WORDS]
    typed[6] = WORDS[6][:4] + "qx"  # the first four letters decide, as BIP-39 intends
    assert refusal(" ".join(typed)) == (
        f"word 7, {typed[6]!r}, is not in the word list (did you mean {WORDS[6]!r}?)"
    )
    typed[6] = "abnadon"  # a swap of letters: the closest spelling
    assert (
        refusal(" ".join(typed))
        == "word 7, 'abnadon', is not in the word list (did you mean 'abandon'?)"
    )


def test_an_unknown_word_with_nothing_close_is_named_alone() -> None:
    assert refusal(" ".join(["qqqq", *WORDS[1:]])) == "word 1, 'qqqq', is not in the word list"


def test_several_unknown_words_are_named_up_to_three() -> None:
    typed = ["qqqq", "zzzzz", "xxxxxx", "wwwwwww", *WORDS[4:]]
    assert refusal(" ".join(typed)) == (
        "word 1, 'qqqq', is not in the word list; word 2, 'zzzzz', is not in the word list; "
        "word 3, 'xxxxxx', is not in the word list; and 1 more"
    )


def test_a_long_or_hostile_token_is_shown_short_and_escaped() -> None:
    message = refusal("\x1b[2J" + "a" * 100 + " " + " ".join(WORDS[1:]))
    assert "\x1b" not in message
    assert "\\x1b[2jaaaa" in message
    assert "a" * 30 not in message


@pytest.mark.parametrize(
    ("count", "said"),
    [(0, "empty"), (1, "1 word"), (23, "23 words"), (25, "25 words"), (47, "47 words")],
)
def test_a_wrong_number_of_words_is_refused_with_the_count(count: int, said: str) -> None:
    typed = (WORDS * 2)[:count]
    assert refusal(" ".join(typed)) == (
        "a key backup is 24 words (48 for an identity made before backups existed), "
        f"and this is {said}"
    )


def _with_other_checksum(words: list[str]) -> list[str]:
    """`words` with the last word's 8 checksum bits changed and its 3 data bits kept,
    so the bytes are the same and the checksum certainly wrong."""
    index = WORDLIST.index(words[-1])
    return [*words[:-1], WORDLIST[index ^ 0b1]]


@settings(max_examples=100, deadline=None)
@given(seed=keys32)
def test_a_wrong_checksum_is_always_refused(seed: bytes) -> None:
    words = _with_other_checksum(words_for(ident.from_seed(seed)))
    assert refusal(" ".join(words)) == (
        "the words do not match their checksum: one of them is wrong or out of order"
    )


def test_a_wrong_checksum_in_an_older_backup_names_its_half() -> None:
    words = words_for(older(SEED, bytes(32)))
    first = [*_with_other_checksum(words[:24]), *words[24:]]
    second = [*words[:24], *_with_other_checksum(words[24:])]
    assert refusal(" ".join(first)).startswith("words 1 to 24 do not match their checksum")
    assert refusal(" ".join(second)).startswith("words 25 to 48 do not match their checksum")


def test_two_words_written_in_the_wrong_order_are_refused() -> None:
    swapped = [*WORDS]
    swapped[3], swapped[4] = swapped[4], swapped[3]
    assert swapped != WORDS
    assert "do not match their checksum" in refusal(" ".join(swapped))


def test_a_text_too_long_to_be_a_backup_is_refused_before_reading_it() -> None:
    text = " ".join(WORDS) + " " * MAX_TEXT
    assert refusal(text) == (
        f"that is {len(text)} characters, too long for a key backup (24 or 48 words)"
    )
