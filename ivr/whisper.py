"""The whisper: what the agent hears before a transferred caller is put through.

Worded by staff (the `whisper_*` voice prompts) and said in the city's main language, the
one its agents work in, whatever the caller spoke: the first line says which that was.
"""

from __future__ import annotations

from conversation import Say, State, Wording

from .speech import say_address


def whisper_text(state: State, wording: Wording) -> str:
    """One line per thing captured so far, e.g. 'A 311 caller. Report: pothole. ...'"""
    lang = state.languages[0] if state.languages else state.lang

    def line(key: str, **params: str) -> str:
        return wording.text(lang, Say(key, params))

    lines = [line(f"whisper_caller.{state.lang}") or line(f"whisper_caller.{lang}")]
    names = {c.code: c.name(lang) for c in state.menu}
    if state.category:
        lines.append(line("whisper_report", category=names.get(state.category, state.category)))
    for code, value in state.answers:
        lines.append(line("whisper_answer", question=code.replace("_", " ").lower(),
                          answer=value))
    if state.place is not None:
        spoken = say_address(state.place.spoken or state.place.label, lang)
        lines.append(line("whisper_place", address=spoken))
    elif state.address_text:
        lines.append(line("whisper_heard", heard=state.address_text))
    if state.description:
        lines.append(line("whisper_description", description=state.description))
    if len(lines) == 1:
        lines.append(line("whisper_nothing"))
    return " ".join(x for x in lines if x)
