"""The voice channel: Twilio call webhooks in, TwiML out. No storage, no Open311 here."""

from .views import create_blueprint

__all__ = ["create_blueprint"]
