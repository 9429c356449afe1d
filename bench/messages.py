"""The message mix every contender echoes: a five-type tagged union (~225 bytes of JSON each)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter


class Chat(BaseModel):
    type: Literal["chat"]
    id: int
    room: str
    author: str
    text: str
    sent_at: float


class Join(BaseModel):
    type: Literal["join"]
    id: int
    room: str
    user: str
    roles: list[str]
    invited_by: str | None


class Move(BaseModel):
    type: Literal["move"]
    id: int
    entity: str
    x: float
    y: float
    z: float
    heading: float
    speed: float


class Ack(BaseModel):
    type: Literal["ack"]
    id: int
    of: list[int]
    status: Literal["ok", "late", "lost"]
    note: str


class Presence(BaseModel):
    type: Literal["presence"]
    id: int
    user: str
    online: bool
    rooms: list[str]
    since: float


Message = Annotated[Chat | Join | Move | Ack | Presence, Field(discriminator="type")]
ADAPTER: TypeAdapter[Chat | Join | Move | Ack | Presence] = TypeAdapter(Message)

SAMPLES: tuple[Chat | Join | Move | Ack | Presence, ...] = (
    Chat(
        type="chat",
        id=1001,
        room="general-discussion",
        author="margaret.hamilton",
        text="The build on the staging cluster passed; deploying the new release candidate "
        "after lunch unless anyone objects.",
        sent_at=1764547200.125,
    ),
    Join(
        type="join",
        id=1002,
        room="general-discussion",
        user="grace.hopper.1906",
        roles=[
            "member",
            "moderator",
            "release-manager",
            "on-call",
            "reviewer",
            "incident-commander",
            "triage",
        ],
        invited_by="margaret.hamilton.engineering-lead",
    ),
    Move(
        type="move",
        id=1003,
        entity="world-eu-west-3/zone-12/player-7f3a9c2e-4b1d-4e8a-9c0f-2d6b8e1a5f47/avatar",
        x=1024.5078125,
        y=-387.25097656250004,
        z=64.0009765625,
        heading=271.44531250000006,
        speed=12.7578125,
    ),
    Ack(
        type="ack",
        id=1004,
        of=[990, 991, 992, 993, 994, 995, 996, 997, 998, 999, 1000],
        status="ok",
        note="all messages up to 1000 were delivered, persisted to the archive and replicated "
        "to the standby region in under two seconds",
    ),
    Presence(
        type="presence",
        id=1005,
        user="alan.turing.1912@bletchley",
        online=True,
        rooms=[
            "general-discussion",
            "release-planning",
            "incident-review",
            "random",
            "hardware-lab",
            "reading-group",
            "on-call",
        ],
        since=1764543600.5,
    ),
)

TEXTS: tuple[str, ...] = tuple(ADAPTER.dump_json(sample).decode() for sample in SAMPLES)


def _chat(**changes: object) -> str:
    fields = {**json.loads(TEXTS[0]), **changes}
    return json.dumps({k: v for k, v in fields.items() if v is not None}, separators=(",", ":"))


#: A chat message whose ``id`` is a string: every validating contender must refuse it.
INVALID = _chat(id="not-a-number")

#: One invalid message of each kind the codec micro-benchmark rejects.
INVALID_KINDS: dict[str, str] = {
    "wrong field type": INVALID,
    "missing field": _chat(author=None),
    "unknown tag": _chat(type="shout"),
    "not JSON": TEXTS[0][: len(TEXTS[0]) // 2],
}
