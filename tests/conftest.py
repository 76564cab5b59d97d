"""Fixtures every part's tests share: signing members with fixed keys (see support/signers.py)."""

from signers import alice, bob, carol, dave, erin, member

__all__ = ["alice", "bob", "carol", "dave", "erin", "member"]
