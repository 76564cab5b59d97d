"""The port holds both ways: the real node and the fake satisfy it, and the app its shell.

The assignments below are the check mypy makes (`mypy --strict tests/tui`): a
NodeAPI, a LocalHome, the fakes and the app each stand where the protocol is
expected. At run time the same classes are compared with the protocols member
by member (parameter names, kinds and defaults), so a renamed parameter or a
changed default on either side fails here rather than in a screen.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

import pytest
from fake_home import FakeHome
from fake_node import FakeNode

from p2pshare.member.home import Home
from p2pshare.service.api import NodeAPI
from p2pshare.service.port import HomePort, NodePort, NodeStatus
from tui.app import P2PShareApp
from tui.launch import LocalHome
from tui.lazy_node import LazyNode

if TYPE_CHECKING:
    from pathlib import Path

    from tui.shell import Shell


def shape(function: object) -> list[tuple[str, object, object]]:
    """Parameter names, kinds and defaults (their types are mypy's part)."""
    params = inspect.signature(function).parameters.values()  # type: ignore[arg-type]
    return [(p.name, p.kind, p.default) for p in params]


def protocol_members(protocol: type) -> list[str]:
    return sorted(
        name
        for name in vars(protocol)
        if not name.startswith("_") and name not in {"__annotations__"}
    )


def test_the_real_node_and_home_satisfy_the_port(tmp_path: Path) -> None:
    home = Home.resolve(tmp_path / "h")
    local: HomePort = LocalHome(home, mdns=False)
    node: NodePort = NodeAPI(home)
    status: NodeStatus = NodeAPI(home).status
    assert local.path == home.path
    assert isinstance(local.node(passphrase=None), LazyNode)  # a NodeAPI once open: test_lazy_node
    assert node.status.state == status.state == "offline"


def test_the_fakes_satisfy_the_port() -> None:
    fake = FakeNode()
    node: NodePort = fake
    home: HomePort = FakeHome(fake)
    assert home.node(passphrase=None) is node


def test_the_app_is_the_shell_its_screens_read() -> None:
    shell: Shell = P2PShareApp(FakeHome(FakeNode()), start_network=False)
    assert shell.status_info.state == "offline"


@pytest.mark.parametrize(
    ("protocol", "implementations"),
    [
        (NodePort, (NodeAPI, FakeNode)),
        (HomePort, (LocalHome, FakeHome)),
    ],
)
def test_every_method_of_the_port_has_the_same_signature_on_each_side(
    protocol: type, implementations: tuple[type, ...]
) -> None:
    for name in protocol_members(protocol):
        declared = inspect.getattr_static(protocol, name)
        if isinstance(declared, property):
            continue  # attributes and properties: mypy checks their types
        wanted = shape(declared)
        for cls in implementations:
            found = inspect.getattr_static(cls, name, None)
            assert found is not None, (cls, name)
            assert shape(found) == wanted, (cls, name)
            assert inspect.iscoroutinefunction(found) == inspect.iscoroutinefunction(declared)


def test_the_port_names_only_what_the_app_uses() -> None:
    """`dial` and the rest of NodeAPI stay out of the port until a screen needs them."""
    assert "dial" not in protocol_members(NodePort)
    assert "member" not in protocol_members(NodePort)
