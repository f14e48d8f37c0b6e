"""The pure conversation engine shared by the voice and SMS channels (no I/O)."""

from .engine import MAX_TRIES, question, start, step
from .model import (
    Action,
    AddressResolved,
    Ask,
    Category,
    Channel,
    End,
    Event,
    Expect,
    FileRequest,
    HungUp,
    IllegalEvent,
    Place,
    RequestFiled,
    ResolveAddress,
    Said,
    Say,
    Silence,
    Started,
    State,
    Step,
    Transfer,
    Via,
)
from .serialize import dump, load

__all__ = [
    "MAX_TRIES", "Action", "AddressResolved", "Ask", "Category", "Channel", "End", "Event",
    "Expect", "FileRequest", "HungUp", "IllegalEvent", "Place", "RequestFiled",
    "ResolveAddress", "Said", "Say", "Silence", "Started", "State", "Step", "Transfer", "Via",
    "dump", "load", "question", "start", "step",
]
