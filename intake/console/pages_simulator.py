"""The simulator: a call (keypad and a say box) or a text thread, on the live or a draft file."""

from __future__ import annotations

from flask import Blueprint


def register(bp: Blueprint) -> None:
    pass
