"""The SMS channel: Twilio messaging webhooks in, reply text out. No storage, no Open311 here."""

from .views import create_blueprint

__all__ = ["create_blueprint"]
