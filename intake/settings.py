"""All settings in one place: a working demo default for each, an environment variable to override.

Secrets (API keys, the Twilio auth token) come only from the environment. Without
`TWILIO_AUTH_TOKEN` the service runs in demo mode with a generated local token that it prints;
signature validation is never switched off.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent
DEMO_CITY_DIR = PACKAGE_DIR / "democity"


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    open311_endpoint: str | None  # None: the built-in sandbox, in process
    open311_api_key: str | None
    open311_jurisdiction: str | None
    open311_format: str
    open311_discovery: str | None
    open311_endpoint_type: str
    twilio_account_sid: str | None
    twilio_auth_token: str
    demo: bool
    public_base_url: str | None
    config_path: Path | None
    streets_path: Path
    intersections_path: Path | None
    city_name: str | None
    geocoder_backend: str | None  # nominatim | photon | pelias, at the city's own domain
    geocoder_domain: str | None
    geocoder_mode: str  # "fallback": only when the streets file finds nothing; "instead"
    geocoder_scheme: str
    sandbox_step_seconds: float
    worker_interval: float
    # status texts
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_url: str | None = None  # a stand-in for https://api.twilio.com (tests)
    city_timezone: str | None = None  # None: the staff file's [city] timezone
    quiet_hours: str = "21:00-08:00"
    poll_interval: float = 60.0
    poll_batch_size: int = 50
    poll_concurrency: int = 4
    poll_in_server: bool = False
    sandbox_faults: str = ""  # fault spec for the built-in sandbox (demos), see parse_faults
    sandbox_fault_header: bool = False  # honour the test-only X-Sandbox-Fault header
    # staff console and staff file
    config_reload_seconds: float = 2.0  # how often `intake serve` looks for a changed staff file
    console_secret_key: str = ""  # signs the console's CSRF tokens; "" = one kept under var/
    console_session_minutes: int = 30  # a console login ends after this long without a click
    outbox_give_up_hours: float = 24.0  # an undelivered report then needs attention
    # production and hostile input
    trusted_proxies: str = ""  # proxies whose X-Forwarded-* headers count (IPs or CIDRs)
    max_body: int = 64 * 1024  # bytes; a larger request body is refused with 413
    db_pool_size: int = 10  # PostgreSQL connections kept open per process: >= its threads
    sms_rate_limit: int = 10  # texts per number per window; then one polite reply, then silence
    sms_rate_window: float = 60.0
    max_open_conversations: int = 5  # per phone number, active within the last hour
    log_format: str = "plain"  # or "json"
    log_level: str = "INFO"
    metrics_token: str | None = None  # bearer token for /metrics (none: /metrics is closed)
    retention_days: int = 90  # `intake purge`: personal data of closed requests older than this
    outbox_lease: float = 120.0  # seconds a worker holds a claimed report
    outbox_settle: float = 30.0  # seconds before an unanswered POST is looked up
    # SANDBOX: True/False when set; None = on exactly when no city server is configured
    sandbox: bool | None = None
    catalogue_sync_seconds: float = 3600.0  # how often the service list is read again
    reopen_check_hours: float = 1.0  # how often a closed request is asked about again
    reopen_watch_days: float = 30.0  # ... for this long after it closed
    # already reported: look for open requests like a report nearby before filing
    duplicate_check: bool = False
    duplicate_radius_m: float = 50.0
    media_dir: Path | None = None  # photos by MMS; None: var/media
    media_store: str = "disk"  # or "s3": an S3-compatible bucket (credentials: AWS_* as usual)
    media_s3_bucket: str | None = None
    media_s3_endpoint_url: str | None = None  # None: AWS itself
    media_s3_public_url: str | None = None  # None: presigned links
    media_s3_url_days: float = 7.0  # how long a presigned link works (SigV4: 7 at most)

    @property
    def sandbox_on(self) -> bool:
        """Whether the built-in sandbox is mounted: never by default beside a city's server."""
        if self.sandbox is not None:
            return self.sandbox
        return self.open311_endpoint is None and self.open311_discovery is None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("INTAKE_VAR_DIR", "var")).resolve()
        token = env.get("TWILIO_AUTH_TOKEN") or ""
        streets = env.get("INTAKE_STREETS")
        intersections = env.get("INTAKE_INTERSECTIONS")
        if not streets:
            streets = str(DEMO_CITY_DIR / "centerlines.geojson")
            intersections = intersections or str(DEMO_CITY_DIR / "intersections.geojson")
        return cls(
            var_dir=var_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'intake.sqlite3'}",
            open311_endpoint=env.get("OPEN311_ENDPOINT") or None,
            open311_api_key=env.get("OPEN311_API_KEY") or None,
            open311_jurisdiction=env.get("OPEN311_JURISDICTION") or None,
            open311_format=env.get("OPEN311_FORMAT", "json"),
            open311_discovery=env.get("OPEN311_DISCOVERY") or None,
            open311_endpoint_type=env.get("OPEN311_ENDPOINT_TYPE", "production"),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=token or demo_token(var_dir),
            demo=not token,
            public_base_url=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
            config_path=Path(env["INTAKE_CONFIG"]) if env.get("INTAKE_CONFIG") else None,
            streets_path=Path(streets),
            intersections_path=Path(intersections) if intersections else None,
            city_name=env.get("INTAKE_CITY") or None,
            geocoder_backend=env.get("GEOCODER_BACKEND") or None,
            geocoder_domain=env.get("GEOCODER_DOMAIN") or None,
            geocoder_mode=env.get("GEOCODER_MODE", "fallback"),
            geocoder_scheme=env.get("GEOCODER_SCHEME", "https"),
            sandbox_step_seconds=float(env.get("SANDBOX_STEP_SECONDS", "60")),
            worker_interval=float(env.get("OUTBOX_INTERVAL", "2")),
            twilio_from_number=env.get("TWILIO_FROM_NUMBER") or None,
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            twilio_api_url=env.get("TWILIO_API_URL") or None,
            city_timezone=env.get("CITY_TIMEZONE") or None,
            # a demo should show its status texts at any hour; a city keeps residents' nights
            quiet_hours=env.get("QUIET_HOURS") or ("off" if not token else "21:00-08:00"),
            poll_interval=float(env.get("POLL_INTERVAL", "60")),
            poll_batch_size=int(env.get("POLL_BATCH_SIZE", "50")),
            poll_concurrency=int(_positive("POLL_CONCURRENCY", env.get("POLL_CONCURRENCY", "4"))),
            poll_in_server=_flag(env.get("POLL_IN_SERVER"), default=not token),
            sandbox_faults=_fault_spec(env.get("SANDBOX_FAULTS", "")),
            sandbox_fault_header=env.get("SANDBOX_FAULT_HEADER", "").strip().lower()
            in ("1", "true", "yes", "on"),
            config_reload_seconds=float(env.get("CONFIG_RELOAD_SECONDS", "2")),
            console_secret_key=env.get("CONSOLE_SECRET_KEY", ""),
            console_session_minutes=int(env.get("CONSOLE_SESSION_MINUTES", "30")),
            outbox_give_up_hours=_positive("OUTBOX_GIVE_UP_HOURS",
                                           env.get("OUTBOX_GIVE_UP_HOURS", "24")),
            trusted_proxies=_networks(env.get("TRUSTED_PROXIES", "")),
            max_body=int(env.get("MAX_BODY_BYTES", str(64 * 1024))),
            db_pool_size=int(_positive("DB_POOL_SIZE", env.get("DB_POOL_SIZE", "10"))),
            sms_rate_limit=int(env.get("SMS_RATE_LIMIT", "10")),
            sms_rate_window=float(env.get("SMS_RATE_WINDOW", "60")),
            max_open_conversations=int(env.get("MAX_OPEN_CONVERSATIONS", "5")),
            log_format=_choice("LOG_FORMAT", env.get("LOG_FORMAT") or "plain", ("plain", "json")),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            metrics_token=env.get("METRICS_TOKEN") or None,
            retention_days=int(env.get("RETENTION_DAYS", "90")),
            outbox_lease=float(env.get("OUTBOX_LEASE_SECONDS", "120")),
            outbox_settle=float(env.get("OUTBOX_SETTLE_SECONDS", "30")),
            sandbox=_sandbox(env),
            catalogue_sync_seconds=_positive("CATALOGUE_SYNC_SECONDS",
                                             env.get("CATALOGUE_SYNC_SECONDS", "3600")),
            reopen_check_hours=_positive("REOPEN_CHECK_HOURS",
                                         env.get("REOPEN_CHECK_HOURS", "1")),
            reopen_watch_days=_positive("REOPEN_WATCH_DAYS", env.get("REOPEN_WATCH_DAYS", "30")),
            duplicate_check=_flag(env.get("DUPLICATE_CHECK"), default=False),
            duplicate_radius_m=float(env.get("DUPLICATE_RADIUS_M", "50")),
            media_dir=Path(env["MEDIA_DIR"]) if env.get("MEDIA_DIR") else var_dir / "media",
            **_media_s3(env),
        )


def _media_s3(env: Mapping[str, str]) -> dict[str, Any]:
    """MEDIA_STORE and the bucket's settings, checked now: s3 without a bucket is named."""
    store = _choice("MEDIA_STORE", (env.get("MEDIA_STORE") or "disk").strip(), ("disk", "s3"))
    bucket = (env.get("MEDIA_S3_BUCKET") or "").strip() or None
    if store == "s3" and not bucket:
        raise ValueError("MEDIA_STORE=s3 needs MEDIA_S3_BUCKET (the bucket photos go to)")
    days = _positive("MEDIA_S3_URL_DAYS", env.get("MEDIA_S3_URL_DAYS", "7"))
    if days > 7:
        raise ValueError(f"MEDIA_S3_URL_DAYS is at most 7 (presigned links), not {days:g}")
    return {"media_store": store, "media_s3_bucket": bucket,
            "media_s3_endpoint_url": env.get("MEDIA_S3_ENDPOINT_URL") or None,
            "media_s3_public_url": env.get("MEDIA_S3_PUBLIC_URL") or None,
            "media_s3_url_days": days}


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or not value.strip():
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _sandbox(env: Mapping[str, str]) -> bool | None:
    """SANDBOX=on|off, or unset (auto); off needs a city server to send reports to."""
    value = (env.get("SANDBOX") or "").strip().lower()
    if not value or value == "auto":
        return None
    if value not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
        raise ValueError(f"SANDBOX must be on, off or auto, not {env.get('SANDBOX')!r}")
    on = value in ("on", "1", "true", "yes")
    if not on and not (env.get("OPEN311_ENDPOINT") or env.get("OPEN311_DISCOVERY")):
        raise ValueError("SANDBOX=off needs OPEN311_ENDPOINT or OPEN311_DISCOVERY: reports "
                         "would have no server to go to")
    return on


def _positive(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise ValueError(f"{name} must be a positive number, not {value!r}")
    return number


def _networks(spec: str) -> str:
    """TRUSTED_PROXIES, checked now so a typo is named before anything starts."""
    from .guards import parse_networks

    try:
        parse_networks(spec)
    except ValueError as exc:
        raise ValueError(f"TRUSTED_PROXIES: {exc}") from None
    return spec


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value.lower() not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value.lower()


def _fault_spec(spec: str) -> str:
    """SANDBOX_FAULTS, checked now so a typo is named before anything starts."""
    from .sandbox.config import parse_faults

    try:
        parse_faults(spec)
    except ValueError as exc:
        raise ValueError(f"SANDBOX_FAULTS: {exc}") from None
    return spec


def demo_token(var_dir: Path) -> str:
    """The local auth token for demo mode, made once and kept under var/ for the simulator."""
    path = var_dir / "demo_twilio_auth_token"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    path.write_text(token + "\n")
    return token


def mask_phone(number: str | None) -> str:
    """A phone number safe for logs: '+1******4567'."""
    if not number:
        return "-"
    digits = number.removeprefix("whatsapp:")
    return digits[:2] + "*" * max(len(digits) - 6, 0) + digits[-4:]
