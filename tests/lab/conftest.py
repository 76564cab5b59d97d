"""The lab's pytest hooks: each test's report, for the log tails printed on failure."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .lab import REPORTS

if TYPE_CHECKING:
    from collections.abc import Generator


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report
