"""Editing the staff file: prompts, categories, the agent line, pronunciations, history, drafts."""

from __future__ import annotations

from flask import Blueprint


def register(bp: Blueprint) -> None:
    pass
