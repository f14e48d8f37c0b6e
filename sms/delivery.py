"""Where an outbound text stands: first the app's queue (waiting, claimed), then Twilio's words.

Twilio's words arrive here (a send's answer, delivery callbacks); the app stores them as they
are, so the app's queue states and Twilio's share one vocabulary. The order they may follow
each other in is the app's (`intake.lifecycle.TEXT_RANK`).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["TextState"]


class TextState(StrEnum):
    """A text's state, stored as its value."""

    WAITING = "waiting"  # queued by the app, not yet handed to Twilio
    CLAIMED = "claimed"  # taken by one sender for one attempt
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELED = "canceled"
    READ = "read"
