"""A missing outside dependency skips on a laptop and fails on CI."""

from __future__ import annotations

import pytest

from tests.needs import unavailable


def test_skips_where_ci_is_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chromium"):
        unavailable("no chromium")


def test_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="shared data not found.*CI=true requires it"):
        unavailable("shared data not found: cambridge")
