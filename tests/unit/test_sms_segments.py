"""SMS length and keywords: what a resident's phone shows and what counts as STOP."""

from __future__ import annotations

import pytest

from intake.config import load_config
from sms import (
    KeywordKind,
    RequestStatus,
    budgeted,
    classify,
    encoding,
    fit,
    gsm_safe,
    segments,
    status_text,
    transliterate,
)


@pytest.mark.parametrize(("text", "parts", "enc"), [
    ("", 0, "GSM-7"),
    ("x" * 160, 1, "GSM-7"),
    ("x" * 161, 2, "GSM-7"),
    ("x" * 306, 2, "GSM-7"),
    ("x" * 307, 3, "GSM-7"),
    ("€" * 80, 1, "GSM-7"),  # two septets each
    ("€" * 81, 2, "GSM-7"),
    ("ñé" * 80, 1, "GSM-7"),  # in the GSM-7 alphabet
    ("á" * 70, 1, "UCS-2"),
    ("á" * 71, 2, "UCS-2"),
    ("á" * 134, 2, "UCS-2"),
    ("á" * 135, 3, "UCS-2"),
    ("It’s fixed", 1, "UCS-2"),  # one curly apostrophe is enough
])
def test_segments_are_counted_as_carriers_do(text: str, parts: int, enc: str) -> None:
    assert segments(text) == parts and encoding(text) == enc


def test_gsm_safe_keeps_english_in_gsm7() -> None:
    plain = gsm_safe("It’s fixed — “thanks”… café")
    assert plain == "It's fixed - \"thanks\"... café" and encoding(plain) == "GSM-7"


def test_fit_cuts_the_tail_at_a_word_and_keeps_the_head() -> None:
    text = fit("Report 1234567: closed. ", "word " * 200)
    assert text.startswith("Report 1234567: closed. ") and text.endswith("word...")
    assert segments(text) == 2


@pytest.mark.parametrize(("body", "kind"), [
    *((word, KeywordKind.OPT_OUT) for word in ("STOP", " stop. ", "Unsubscribe", "STOPALL",
                                               "cancel", "end", "quit", "revoke", "optout")),
    *((word, KeywordKind.OPT_IN) for word in ("START", "unstop", "yes")),
    ("HELP", KeywordKind.HELP), ("info", KeywordKind.HELP),
    ("MY REQUESTS", KeywordKind.MY_REQUESTS), ("mis reportes", KeywordKind.MY_REQUESTS),
    ("STATUS 1234567", KeywordKind.STATUS), ("estado 1234567", KeywordKind.STATUS),
    ("1234567", KeywordKind.STATUS),
    ("stop sending me texts about the pothole", None), ("pothole", None), ("12", None),
])
def test_keywords_are_whole_messages(body: str, kind: KeywordKind | None) -> None:
    found = classify(body)
    assert (found.kind if found else None) == kind


def test_opt_out_type_wins_over_the_words() -> None:
    found = classify("please no more", "STOP")
    assert found is not None and found.kind == KeywordKind.OPT_OUT


@pytest.mark.parametrize("lang", ["en", "es"])
def test_status_text_fits_two_segments_with_reference_and_note(lang: str) -> None:
    wording = load_config().wording("sms")
    note = "The crew filled the pothole and resurfaced the lane; thank you for reporting. " * 4
    text = status_text(wording, RequestStatus("7654321", "closed", note, lang))
    assert "7654321" in text and "crew filled" in text and segments(text) <= 2
    if lang == "en":
        assert encoding(text) == "GSM-7"


@pytest.mark.parametrize(("written", "plain"), [
    ("Fixed ✓", "Fixed"),  # a check mark says nothing words do not
    ("✓ Done.", "Done."),
    ("Done ✓.", "Done."),
    ("Patched 👍🏽 thanks", "Patched thanks"),
    ("“Done” — it’s fixed…", '"Done" - it\'s fixed...'),
    ("Reparación terminada, señora", "Reparacion terminada, señora"),  # ñ is GSM-7
    ("Kraków, Łódź «centre»", 'Krakow, Lodz "centre"'),
    ("½ block, 10 × 20 ft™", "1/2 block, 10 x 20 ftTM"),
    ("Привет", "Привет"),  # no plain equivalent: left for UCS-2
])
def test_transliteration_writes_plainly_what_has_a_plain_equivalent(written: str,
                                                                    plain: str) -> None:
    assert transliterate(written) == plain


def test_plain_gsm7_when_transliteration_gets_there_else_ucs2_within_two_segments() -> None:
    head = "Demo City 311: report 1234567 is now closed. City note: "
    assert budgeted(head, "Fixed ✓ “today”.") == head + 'Fixed "today".'
    long_note = "Crew resurfaced the lane ✓ and swept it. " * 6
    text = budgeted(head, long_note)  # plain: 306 characters fit, not 134
    assert encoding(text) == "GSM-7" and segments(text) == 2 and len(text) > 250
    cyrillic = budgeted(head, "Яма заделана ✓")  # another script: sent as written
    assert cyrillic == head + "Яма заделана ✓" and encoding(cyrillic) == "UCS-2"
    cut = budgeted(head, "Яма заделана. " * 20)
    assert encoding(cut) == "UCS-2" and segments(cut) == 2 and cut.startswith(head)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_status_text_with_a_check_mark_stays_one_plain_segment(lang: str) -> None:
    wording = load_config().wording("sms")
    text = status_text(wording, RequestStatus("7654321", "closed", "Reparación hecha ✓", lang,
                                              "pothole", "12 Elm St"))
    assert "Reparacion hecha." in text and "?" not in text
    assert encoding(text) == "GSM-7" and segments(text) == 1
