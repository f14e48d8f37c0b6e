"""Actions to the text of one SMS reply (TwiML <Message>), in the resident's language."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

from conversation import Ask, Reply, Say, Transfer, Wording


def reply_text(reply: Reply, wording: Wording) -> str:
    """The prompts of a reply as one message, one line each."""
    lines = []
    for action in reply.actions:
        if isinstance(action, (Say, Ask)):
            lang = action.lang if isinstance(action, Say) and action.lang else reply.lang
            text = wording.text(lang, action)
            if text:
                lines.append(text)
        elif isinstance(action, Transfer):
            continue  # the "transfer" prompt already tells the resident how to call
    return "\n".join(lines)


def render(reply: Reply, wording: Wording) -> str:
    response = MessagingResponse()
    text = reply_text(reply, wording)
    if text:
        response.message(text)
    return str(response)
