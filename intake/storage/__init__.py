"""Every table of the intake, by aggregate (one Alembic history covers them all).

The console's own tables are in `intake.console.models`; the built-in sandbox's, made only
where it is mounted, in `intake.sandbox.models`.
"""

from .conversations import ConversationMenu, ConversationRow, WebhookDelivery
from .reports import CallbackRequest, Report
from .statuses import StatusChange, StatusWatch
from .texts import OptOut, OutboundTextRow, SmsRate

__all__ = ["CallbackRequest", "ConversationMenu", "ConversationRow", "OptOut", "OutboundTextRow",
           "Report", "SmsRate", "StatusChange", "StatusWatch", "WebhookDelivery"]
