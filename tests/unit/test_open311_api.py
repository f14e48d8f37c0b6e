"""The package surface: a checked ``__all__``, ``py.typed``, and no imports of the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import open311_client

CONTRACT = {
    "Open311Client",
    "NewRequest",
    "PostResult",
    "Service",
    "ServiceDefinition",
    "Attribute",
    "AttributeValue",
    "ServiceRequest",
    "Note",
    "Discovery",
    "Open311Error",
    "ConfigurationError",
    "NotFound",
    "ValidationError",
    "ServerUnavailable",
}


def test_all_is_sorted_complete_and_resolvable() -> None:
    names = open311_client.__all__
    assert CONTRACT <= set(names)
    assert len(names) == len(set(names))
    for name in names:
        obj = getattr(open311_client, name)
        if callable(obj):
            assert obj.__module__ == "open311_client", name


def test_public_names_not_in_all_are_private() -> None:
    public = {n for n in vars(open311_client) if not n.startswith("_")}
    assert public == set(open311_client.__all__)


def test_exception_hierarchy() -> None:
    base = open311_client.Open311Error
    for name in ("ConfigurationError", "NotFound", "ValidationError", "ServerUnavailable"):
        assert issubclass(getattr(open311_client, name), base)
    assert issubclass(open311_client.InvalidResponse, open311_client.ServerUnavailable)
    err = open311_client.ValidationError("bad", errors=[("400", "duplicate")])
    assert (err.request, err.response, err.status_code) == (None, None, None)
    assert err.errors == [("400", "duplicate")] and str(err) == "bad"


def test_py_typed_is_shipped() -> None:
    assert (Path(open311_client.__file__).parent / "py.typed").is_file()


def test_imports_nothing_of_the_app() -> None:
    code = (
        "import sys, open311_client;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'intake', 'conversation', 'ivr', 'sms', 'geocode', 'twilio')];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
