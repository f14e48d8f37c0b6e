"""`intake replay FIXTURE --url URL`: replay a recorded conversation and check what it expects.

A fixture is JSON: `steps`, each a recorded Twilio webhook (`path`, `form`) with `expect`ed
answers, and `filed`: the request that must then appear in the Open311 server exactly once
(or null: nothing may be filed), with its service, address, words and attribute answers.
Call and message SIDs and the caller's number are replaced by fresh ones on every run, so a
fixture can be replayed against the same server again.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ivr.lint import twiml_problems

from .webhook_client import Twiml, WebhookSender

SID_FIELDS = ("CallSid", "MessageSid", "SmsSid", "SmsMessageSid")
PHONE_FIELDS = ("From", "Caller")
REFERENCE = re.compile(r"\d(?:[ ,]*\d){6}")


@dataclass
class ReplayResult:
    name: str
    failures: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    reference: str | None = None
    filed: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


class _Rewriter:
    """Fresh SIDs and caller number per run, the same replacement for the same recorded value."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def form(self, form: dict[str, str]) -> dict[str, str]:
        out = dict(form)
        for key in SID_FIELDS:
            if key in out:
                out[key] = self._swap(out[key], lambda v: v[:2] + secrets.token_hex(16))
        for key in PHONE_FIELDS:
            if key in out:
                out[key] = self._swap(out[key], _fresh_number)
        return out

    def path(self, path: str) -> str:
        """A recorded path with any recorded SID in it (e.g. ?call=CA...) replaced too."""
        for old, new in self.seen.items():
            path = path.replace(old, new)
        return path

    def _swap(self, value: str, make: Any) -> str:
        if value not in self.seen:
            self.seen[value] = make(value)
        return self.seen[value]


def _fresh_number(recorded: str) -> str:
    """A new caller number, keeping the channel's prefix ("whatsapp:+1...")."""
    prefix = recorded.partition(":")[0] + ":" if ":" in recorded else ""
    return prefix + "+1555" + str(secrets.randbelow(9_000_000) + 1_000_000)


def load_fixture(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def replay(
    fixture: dict[str, Any], sender: WebhookSender, *, wait: float = 20.0,
    open311_url: str | None = None,
) -> ReplayResult:
    """Send every step, check each answer, then check what reached the Open311 server."""
    result = ReplayResult(fixture.get("name", "fixture"))
    rewrite = _Rewriter()
    previous: Twiml | None = None
    last_form: tuple[str, dict[str, str]] | None = None
    for number, recorded in enumerate(fixture["steps"], start=1):
        if recorded.get("repeat"):
            if last_form is None:
                result.failures.append(f"step {number}: 'repeat' needs an earlier step")
                continue
            path, form = last_form
        else:
            form = rewrite.form(recorded["form"])
            path = rewrite.path(recorded["path"])
        signature = {"forged": "bm90IGEgcmVhbCBzaWduYXR1cmU=", "missing": ""}.get(
            recorded.get("signature", ""))
        twiml = sender.post(path, form, signature=signature)
        result.log.append(f"step {number} {path}: {twiml.status} {twiml.text[:120]}")
        problems = check(recorded.get("expect", {}), twiml, previous)
        whisper = path.startswith("/voice/whisper")  # ends in <Say>: the call connects next
        if path.startswith("/voice") and not whisper and twiml.status == 200 and twiml.body:
            problems += [f"TwiML: {p}" for p in twiml_problems(twiml.body)]
        for problem in problems:
            result.failures.append(f"step {number} ({path}): {problem}")
        if recorded.get("capture") == "reference":
            found = REFERENCE.search(twiml.text)
            if found:
                result.reference = re.sub(r"\D", "", found.group())
            else:
                result.failures.append(f"step {number}: no reference number in {twiml.text!r}")
        if signature is None:
            previous, last_form = twiml, (path, form)
    if "filed" in fixture:
        url = open311_url or sender.url("/open311/v2/")
        check_filed(fixture["filed"], sender, result, wait, url.rstrip("/") + "/requests.json")
    return result


def check(expect: dict[str, Any], twiml: Twiml, previous: Twiml | None) -> list[str]:
    problems = []
    status = expect.get("status", 200)
    if twiml.status != status:
        problems.append(f"HTTP {twiml.status}, expected {status}")
    text = twiml.text.lower()
    for want in expect.get("says", []):
        if want.lower() not in text:
            problems.append(f"expected {want!r} in {twiml.text!r}")
    for unwanted in expect.get("not_says", []):
        if unwanted.lower() in text:
            problems.append(f"did not expect {unwanted!r} in {twiml.text!r}")
    if "gather" in expect:
        actual = twiml.gather.get("input") if twiml.gather else None
        wanted = expect["gather"] or None
        if actual != wanted:
            problems.append(f"Gather input {actual!r}, expected {wanted!r}")
    for flag in ("hangup",):
        if flag in expect and getattr(twiml, flag) != expect[flag]:
            problems.append(f"{flag} is {getattr(twiml, flag)}, expected {expect[flag]}")
    if "dial" in expect and bool(twiml.dial) != bool(expect["dial"]):
        problems.append(f"Dial is {twiml.dial!r}, expected {expect['dial']!r}")
    if expect.get("same_as_previous") and (previous is None or twiml.body != previous.body):
        problems.append("a repeated webhook was answered differently")
    return problems


def check_filed(
    filed: dict[str, Any] | None, sender: WebhookSender, result: ReplayResult, wait: float,
    url: str,
) -> None:
    if filed is None:
        if result.reference is not None:
            result.failures.append(f"nothing should be filed, got reference {result.reference}")
        return
    if result.reference is None:
        result.failures.append("no reference number was given, so nothing can be looked up")
        return
    deadline = time.monotonic() + wait
    matches: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        params = {"service_code": filed["service_code"]}
        if "attributes" in filed:  # the extension that lists a request's attribute answers
            params["extensions"] = "true"
        response = sender.http.get(url, params=params)
        if response.status_code == 200:
            matches = [r for r in response.json()
                       if f"ref {result.reference}" in (r.get("description") or "")]
            if matches:
                break
        time.sleep(0.2)
    if len(matches) != 1:
        result.failures.append(
            f"expected exactly one request with ref {result.reference}, found {len(matches)}")
        return
    result.filed = matches[0]
    address = matches[0].get("address") or ""
    if filed.get("address") and filed["address"].lower() not in address.lower():
        result.failures.append(f"filed at {address!r}, expected {filed['address']!r}")
    for want in filed.get("description_contains", []):
        if want.lower() not in (matches[0].get("description") or "").lower():
            result.failures.append(f"description lacks {want!r}")
    if "attributes" in filed:
        got = {a.get("code"): a.get("value") for a in matches[0].get("attributes") or []}
        if got != filed["attributes"]:
            result.failures.append(f"filed with attributes {got}, expected {filed['attributes']}")


def run(
    path: Path, url: str, token: str, *, wait: float = 20.0, open311_url: str | None = None
) -> ReplayResult:
    with httpx.Client(timeout=15) as http:
        return replay(load_fixture(path), WebhookSender(http, url, token), wait=wait,
                      open311_url=open311_url)
