"""Every prompt key the conversation speaks, which channels use it, and its placeholders.

Wording lives in the staff file; this is what it must cover, in every language offered. The
city's fields ({city}, {agent_display}, ...) are offered to every prompt; a key with options
also has a "<key>.option" wording given {digit}, {name} and {label}; any question may have a
"<key>.retry" wording (used from the second failure on). Keys of the texts the app sends by
itself (status texts, keyword answers) are listed in `sms.texts`.
"""

from __future__ import annotations

BOTH, VOICE, SMS = ("voice", "sms"), ("voice",), ("sms",)

#: key -> (channels that use it, placeholders it is given besides the city's fields)
PROMPTS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "greeting": (BOTH, frozenset()),
    "language_offer": (BOTH, frozenset()),
    "category": (BOTH, frozenset()),
    "category_menu": (BOTH, frozenset({"options"})),
    "attribute": (BOTH, frozenset({"question", "options"})),
    "address": (BOTH, frozenset()),
    "address_not_found": (BOTH, frozenset()),
    "address_out_of_city": (BOTH, frozenset()),
    "address_again": (BOTH, frozenset()),
    "cross_street": (BOTH, frozenset()),
    "landmark": (BOTH, frozenset()),
    "house_number": (BOTH, frozenset({"street"})),
    "house_number_unknown": (BOTH, frozenset({"street", "number", "low", "high"})),
    "house_number_missing": (BOTH, frozenset({"street", "number"})),
    "address_fallback": (BOTH, frozenset({"heard"})),
    "address_fallback_agent": (BOTH, frozenset({"heard"})),
    "choose_address": (BOTH, frozenset({"options"})),
    "description": (BOTH, frozenset()),
    "confirm_report": (BOTH, frozenset({"problem", "address"})),
    "confirm_report_street": (BOTH, frozenset({"problem", "address"})),
    "confirm_report_review": (BOTH, frozenset({"problem", "heard"})),
    "what_to_change": (BOTH, frozenset()),
    "filed": (BOTH, frozenset({"reference"})),
    "updates_by_text": (SMS, frozenset()),
    "offer_texts": (VOICE, frozenset()),
    "texts_yes": (VOICE, frozenset()),
    "goodbye": (VOICE, frozenset()),
    "not_understood": (BOTH, frozenset()),
    "no_input": (VOICE, frozenset()),
    "help": (BOTH, frozenset()),
    "help.category": (BOTH, frozenset()),
    "help.attribute": (BOTH, frozenset()),
    "help.address": (BOTH, frozenset()),
    "help.cross_street": (BOTH, frozenset()),
    "help.house_number": (BOTH, frozenset()),
    "help.choose_address": (BOTH, frozenset()),
    "help.address_fallback": (BOTH, frozenset()),
    "help.description": (BOTH, frozenset()),
    "help.confirm": (BOTH, frozenset()),
    "help.after_transfer": (VOICE, frozenset()),
    "help.offer_texts": (VOICE, frozenset()),
    "start_over": (BOTH, frozenset()),
    "cancelled": (BOTH, frozenset()),
    "agent_closed": (BOTH, frozenset()),
    "agent_by_text": (SMS, frozenset()),
    "transfer": (VOICE, frozenset()),
    "transfer_failed": (VOICE, frozenset()),
    "after_transfer": (VOICE, frozenset()),
    "callback_recorded": (VOICE, frozenset()),
    "gave_up": (BOTH, frozenset()),
    "gave_up_text": (SMS, frozenset()),
    "continue_by_text": (SMS, frozenset()),
    "confirm_place": (SMS, frozenset({"address"})),
    "help.confirm_place": (SMS, frozenset()),
    "location_out_of_city": (SMS, frozenset()),
    "confirm_last_place": (SMS, frozenset({"address"})),
    "new_report": (SMS, frozenset()),
    "duplicate_offer": (BOTH, frozenset({"request", "days"})),
    "duplicate_offer_today": (BOTH, frozenset({"request", "days"})),
    "duplicate_offer_yesterday": (BOTH, frozenset({"request", "days"})),
    "help.duplicate_offer": (BOTH, frozenset()),
    "following": (BOTH, frozenset({"request", "reference"})),
    "photo_added": (SMS, frozenset()),
    "photo_refused.type": (SMS, frozenset({"max"})),
    "photo_refused.size": (SMS, frozenset({"max"})),
    "photo_refused.unreachable": (SMS, frozenset({"max"})),
    "photo_refused.unreadable": (SMS, frozenset({"max"})),
    "photo_refused.too_many": (SMS, frozenset({"max"})),
    "confirm_photo_place": (SMS, frozenset({"address"})),
}

#: questions whose answer is picked from a list: they also have a "<key>.option" wording
WITH_OPTIONS = frozenset({"category_menu", "attribute", "choose_address"})
