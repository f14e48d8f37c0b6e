"""The built-in Open311 GeoReport v2 sandbox: a test server a client cannot tell from a city's.

Mount with ``app.register_blueprint(create_blueprint(cfg), url_prefix="/open311/v2")`` on an
app that called `intake.db.init_app`. Requests live in the ``sandbox_*`` tables; a lazy,
deterministic workflow clock (`advance`) moves them open -> acknowledged -> in progress ->
closed. Fault modes (token only, XML only, list cap, 5xx, timeout after commit, latency) come
from `SandboxConfig` or, when allowed, the test-only ``X-Sandbox-Fault`` header.
"""

from .catalogue import DEMO_SERVICES, Attribute, AttributeValue, Service
from .config import FAULT_HEADER, Faults, SandboxConfig, parse_faults
from .models import SANDBOX_TABLES, SandboxNote, SandboxRequest, SandboxToken
from .views import create_blueprint
from .workflow import advance

__all__ = [
    "DEMO_SERVICES",
    "FAULT_HEADER",
    "SANDBOX_TABLES",
    "Attribute",
    "AttributeValue",
    "Faults",
    "SandboxConfig",
    "SandboxNote",
    "SandboxRequest",
    "SandboxToken",
    "Service",
    "advance",
    "create_blueprint",
    "parse_faults",
]
