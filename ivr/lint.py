"""Checks TwiML against the rules Twilio imposes (shared TWILIO.md); used by replay and tests."""

from __future__ import annotations

from defusedxml import ElementTree

INPUTS = {"dtmf", "speech", "dtmf speech", "speech dtmf"}
NESTABLE = {"Say", "Play", "Pause"}
MODELS_WANTING_NUMBERS = {"numbers_and_commands", "phone_call", "default",
                          "experimental_conversations", "experimental_utterances"}


def twiml_problems(body: str) -> list[str]:
    """Everything wrong with a voice TwiML document; empty when it is fine."""
    problems: list[str] = []
    root = ElementTree.fromstring(body)
    if root.tag != "Response":
        return [f"root is <{root.tag}>, not <Response>"]
    verbs = list(root)
    for i, verb in enumerate(verbs):
        if verb.tag == "Say" and len(verb.text or "") > 4096:
            problems.append("Say longer than 4,096 characters")
        if verb.tag == "Say" and not (verb.text or "").strip():
            problems.append("empty Say")
        if verb.tag != "Gather":
            continue
        for child in verb:
            if child.tag not in NESTABLE:
                problems.append(f"<{child.tag}> inside Gather")
            if child.tag == "Say" and len(child.text or "") > 4096:
                problems.append("Say inside Gather longer than 4,096 characters")
        attrs = verb.attrib
        if not attrs.get("action"):
            problems.append("Gather without action")
        if attrs.get("input") not in INPUTS:
            problems.append(f"Gather input {attrs.get('input')!r}")
        following = verbs[i + 1].tag if i + 1 < len(verbs) else None
        if following not in ("Redirect", "Hangup"):
            problems.append(f"Gather followed by {following!r}, not Redirect or Hangup")
        model, timeout = attrs.get("speechModel"), attrs.get("speechTimeout")
        if model in MODELS_WANTING_NUMBERS and timeout is not None and not timeout.isdigit():
            problems.append(f"speechModel {model} with speechTimeout {timeout!r}")
        hints = attrs.get("hints")
        if hints is not None:
            entries = hints.split(",")
            if len(entries) > 500:
                problems.append(f"{len(entries)} hints")
            if any(len(e) > 100 for e in entries):
                problems.append("a hint longer than 100 characters")
    if verbs and verbs[-1].tag not in ("Redirect", "Hangup", "Dial"):
        problems.append(f"ends with <{verbs[-1].tag}>: the call would hang up without a word")
    return problems
