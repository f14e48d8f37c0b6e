"""A GeoReport v2 (Open311) client that real city servers cannot break.

Rules: the public API is exactly ``__all__`` (everything lives in private modules and is
re-exported here); the caller passes in the ``httpx.Client``; failures are one hierarchy
rooted at ``Open311Error``; this package imports nothing of the application.

    >>> import httpx
    >>> from open311_client import Open311Client, NewRequest
    >>> client = Open311Client(httpx.Client(), "http://127.0.0.1:5000/open311/v2/")
"""

from ._client import MAX_WINDOW, Open311Client, fetch_discovery
from ._encoding import DESCRIPTION_LIMIT, format_datetime, truncate_description
from ._exceptions import (
    ConfigurationError,
    InvalidResponse,
    NotFound,
    Open311Error,
    ServerUnavailable,
    ValidationError,
)
from ._models import (
    Attribute,
    AttributeValue,
    Discovery,
    Endpoint,
    NewRequest,
    Note,
    PostResult,
    Service,
    ServiceDefinition,
    ServiceRequest,
    Status,
)
from ._parsers import parse_datetime

__all__ = [
    "DESCRIPTION_LIMIT",
    "MAX_WINDOW",
    "Attribute",
    "AttributeValue",
    "ConfigurationError",
    "Discovery",
    "Endpoint",
    "InvalidResponse",
    "NewRequest",
    "NotFound",
    "Note",
    "Open311Client",
    "Open311Error",
    "PostResult",
    "ServerUnavailable",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
    "Status",
    "ValidationError",
    "fetch_discovery",
    "format_datetime",
    "parse_datetime",
    "truncate_description",
]

# Present public classes and functions as ``open311_client.X`` (in reprs, tracebacks and
# docs) rather than as their private module, as httpx does.
for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and callable(_obj):
        _obj.__module__ = __name__
del _name, _obj
