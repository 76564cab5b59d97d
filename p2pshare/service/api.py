"""The one asynchronous API the app talks to: actions, views and a stream of events.

`NodeAPI` is put together from three parts, one concern each:

- node_core.py: open, start and close the node; its events; the one consumer of
  changes that updates the member's state and tells the app (`Status` too);
- node_views.py: what the app reads (feed, offer, peers, trust, activity...);
- node_actions.py: what the app asks the node to do (post, forward, accept...).

It lives on the asyncio side (Textual's loop); store and ledger work runs in one
worker thread, and the libp2p node runs as a trio guest on the same loop,
imported only when `start_network()` is called. No libp2p or trio type crosses
this API: views are the dataclasses of views.py, events those of events.py. The
app is written against port.py, which this satisfies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from p2pshare.errors import UserError
from p2pshare.member import identity
from p2pshare.member.actions import create_member
from p2pshare.member.devices import load_membership
from p2pshare.member.recovery import words_for
from p2pshare.service.node_actions import NodeActions
from p2pshare.service.node_core import NetworkOptions, Status
from p2pshare.service.node_views import NodeViews

if TYPE_CHECKING:
    from p2pshare.member.home import Home

__all__ = ["NetworkOptions", "NodeAPI", "Status", "create_identity", "recovery_words"]


def create_identity(home: Home, **profile: Any) -> str:
    """First run (the onboarding screen): `member.create_member`, returning the member id."""
    return create_member(home, **profile).member_id


def recovery_words(home: Home, passphrase: bytes | None) -> list[str]:
    """The words that restore this member (member/recovery.py), for the app to show once;
    a UserError on a home that is a device of its member (the root's words are elsewhere)."""
    keys = identity.load(home, lambda: passphrase)
    if not load_membership(home, keys).is_root:
        raise UserError(
            "this home is a device of its member, not its root: the root's words are the backup"
        )
    return words_for(keys)


class NodeAPI(NodeActions, NodeViews):
    """A member's node as the app sees it. Open it, subscribe, then start the network."""
