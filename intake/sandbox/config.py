"""Sandbox configuration and fault modes.

`SandboxConfig` is frozen and validated on creation. Fault modes are off by default; a
`Faults` value is what one call runs with: the config's faults, overridden (only when
`allow_fault_header` is set) by the test-only `X-Sandbox-Fault` header, see `parse_faults`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, tzinfo

from intake.db import utcnow

from .catalogue import DEMO_SERVICES, Service

FAULT_HEADER = "X-Sandbox-Fault"


@dataclass(frozen=True)
class Faults:
    """Fault modes for one call. Shares are probabilities in [0, 1]."""

    token_only: bool = False
    xml_only: bool = False
    list_cap: int | None = None
    fail_share: float = 0.0
    fail_status: int = 500
    fail_after_commit: bool = False
    timeout_share: float = 0.0
    timeout_seconds: float = 2.0
    latency_seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("fail_share", "timeout_share"):
            share = getattr(self, name)
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], not {share}")
        if self.list_cap is not None and self.list_cap < 1:
            raise ValueError(f"list_cap must be at least 1, not {self.list_cap}")
        if not 500 <= self.fail_status <= 599:
            raise ValueError(f"fail_status must be a 5xx status, not {self.fail_status}")
        if self.timeout_seconds < 0 or self.latency_seconds < 0:
            raise ValueError("timeout_seconds and latency_seconds must not be negative")


FAULT_FIELDS = tuple(f.name for f in fields(Faults))


def parse_faults(spec: str, base: Faults | None = None) -> Faults:
    """Apply a fault spec to `base` (default: no faults).

    The spec is a comma-separated list of items; later items win:
    `none` (reset to no faults), `token-only`, `xml-only`, `cap=N`, `fail` (this call
    answers 500), `fail=CODE` (answers CODE, 500-599), `fail-share=P`, `fail-after-commit`
    (this call fails, but a POST stores the request first), `timeout` (this call stalls for
    timeout_seconds), `timeout=S` (stalls S seconds), `timeout-share=P`, `latency=S`.
    Example: ``parse_faults("token-only, cap=50, latency=0.2")``.
    Raises ValueError naming the bad item.
    """
    faults = base if base is not None else Faults()
    for raw in spec.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        name, _, value = item.partition("=")
        name, value = name.strip(), value.strip()
        try:
            faults = _apply(faults, name, value)
        except ValueError as exc:
            raise ValueError(f"bad fault {item!r}: {exc}") from None
    return faults


def _apply(faults: Faults, name: str, value: str) -> Faults:
    flags = {"none", "token-only", "xml-only", "fail-after-commit"}
    if name in flags and value:
        raise ValueError("takes no value")
    if name == "none":
        return Faults()
    if name == "token-only":
        return replace(faults, token_only=True)
    if name == "xml-only":
        return replace(faults, xml_only=True)
    if name == "cap":
        return replace(faults, list_cap=int(value))
    if name == "fail":
        status = int(value) if value else faults.fail_status
        return replace(faults, fail_share=1.0, fail_status=status)
    if name == "fail-after-commit":
        return replace(faults, fail_share=1.0, fail_after_commit=True)
    if name == "fail-share":
        return replace(faults, fail_share=float(value))
    if name == "timeout":
        seconds = float(value) if value else faults.timeout_seconds
        return replace(faults, timeout_share=1.0, timeout_seconds=seconds)
    if name == "timeout-share":
        return replace(faults, timeout_share=float(value))
    if name == "latency":
        return replace(faults, latency_seconds=float(value))
    raise ValueError("unknown fault")


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the sandbox blueprint needs; the defaults make a working demo server.

    `api_key`: when set, POST requires it (403 otherwise). `jurisdiction_id`: when set, any
    other jurisdiction_id gets 404 (an absent one is fine). `step_seconds`: workflow clock,
    one status step per interval after `requested_datetime`. `token_delay_seconds`: in
    token mode, how long until a token resolves to an id. `clock` (must return aware
    datetimes) and `sleep` are seams for tests. The fault fields mirror `Faults`
    (`fail_after_commit`: a POST that draws "fail" stores the request before answering 5xx);
    `seed` makes the fault dice reproducible.
    """

    api_key: str | None = None
    jurisdiction_id: str | None = None
    services: Sequence[Service] = DEMO_SERVICES
    step_seconds: float = 60.0
    token_delay_seconds: float = 3.0
    id_prefix: str = ""
    id_digits: int = 6
    display_tz: tzinfo = UTC
    public_url: str | None = None
    endpoint_type: str = "test"
    contact: str = "Demo City 311 (sandbox): this is test data, nothing is acted upon."
    key_service: str = "The sandbox's api_key is set in the intake configuration."
    changeset: str = "2024-01-01T00:00:00Z"
    default_limit: int = 1000
    default_page_size: int = 50
    max_page_size: int = 500
    window_days: int = 90
    clock: Callable[[], datetime] = field(default=utcnow)
    sleep: Callable[[float], None] = field(default=time.sleep)
    token_only: bool = False
    xml_only: bool = False
    list_cap: int | None = None
    fail_share: float = 0.0
    fail_status: int = 500
    fail_after_commit: bool = False
    timeout_share: float = 0.0
    timeout_seconds: float = 2.0
    latency_seconds: float = 0.0
    seed: int | None = None
    allow_fault_header: bool = False

    def __post_init__(self) -> None:
        self.faults  # noqa: B018 - validates the fault fields
        if self.fail_share + self.timeout_share > 1.0:
            raise ValueError("fail_share + timeout_share must not exceed 1")
        codes = [s.service_code for s in self.services]
        if len(set(codes)) != len(codes):
            raise ValueError("service codes must be unique")
        if self.step_seconds <= 0 or self.token_delay_seconds < 0:
            raise ValueError("step_seconds must be positive, token_delay_seconds not negative")
        if self.endpoint_type not in ("test", "production"):
            raise ValueError("endpoint_type is 'test' or 'production'")
        if not 1 <= self.default_page_size <= self.max_page_size:
            raise ValueError("default_page_size must be within [1, max_page_size]")

    @property
    def faults(self) -> Faults:
        """The configured fault modes (the fault fields above, as one `Faults`)."""
        return Faults(**{name: getattr(self, name) for name in FAULT_FIELDS})

    def with_faults(self, spec: str) -> SandboxConfig:
        """A copy with a fault spec applied (see `parse_faults`), e.g. from a setting."""
        applied = parse_faults(spec, self.faults)
        return replace(self, **{name: getattr(applied, name) for name in FAULT_FIELDS})

    def service(self, code: str) -> Service | None:
        """The service with this code, if any."""
        for s in self.services:
            if s.service_code == code:
                return s
        return None

    def format_id(self, pk: int) -> str:
        """The public service_request_id for a row's primary key, e.g. ``000123``."""
        return f"{self.id_prefix}{pk:0{self.id_digits}d}"
