"""The floor for bench/load.py's CPU figure: Flask, Twilio's signature check, static TwiML.

Whatever the real app spends per webhook beyond this is ours to answer for.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from twilio.request_validator import RequestValidator

app = Flask("floor")
validator = RequestValidator(os.environ.get("FLOOR_TOKEN", "bench-token"))
ANSWER = ('<?xml version="1.0" encoding="UTF-8"?><Response><Message>Demo City 311: what would '
          'you like to report?</Message></Response>')


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.post("/sms")
def sms() -> Response:
    if not validator.validate(request.url, request.form,
                              request.headers.get("X-Twilio-Signature", "")):
        return Response("Forbidden", status=403)
    return Response(ANSWER, mimetype="text/xml")
