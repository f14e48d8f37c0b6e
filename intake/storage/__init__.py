"""Every table of the intake, by aggregate (one Alembic history covers them all), the
console's included. The built-in sandbox's, made only where it is mounted, are in
`intake.sandbox.models`.
"""

from .console import ConfigChange, ConfigDraft, ConsoleSession, ConsoleUser, HandledItem
from .conversations import ConversationMenu, ConversationRow, WebhookDelivery
from .reports import CallbackRequest, Report
from .statuses import StatusChange, StatusWatch
from .texts import OptOut, OutboundTextRow, SmsRate

__all__ = ["CallbackRequest", "ConfigChange", "ConfigDraft", "ConsoleSession", "ConsoleUser",
           "ConversationMenu", "ConversationRow", "HandledItem", "OptOut", "OutboundTextRow",
           "Report", "SmsRate", "StatusChange", "StatusWatch", "WebhookDelivery"]
