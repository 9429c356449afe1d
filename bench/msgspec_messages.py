"""The message mix of ``bench.messages`` as ``msgspec.Struct`` types: the same five-type
tagged union, the same JSON on the wire (checked on import)."""

from __future__ import annotations

from typing import Literal

import msgspec

from bench.messages import TEXTS


class Chat(msgspec.Struct, tag="chat"):
    id: int
    room: str
    author: str
    text: str
    sent_at: float


class Join(msgspec.Struct, tag="join"):
    id: int
    room: str
    user: str
    roles: list[str]
    invited_by: str | None


class Move(msgspec.Struct, tag="move"):
    id: int
    entity: str
    x: float
    y: float
    z: float
    heading: float
    speed: float


class Ack(msgspec.Struct, tag="ack"):
    id: int
    of: list[int]
    status: Literal["ok", "late", "lost"]
    note: str


class Presence(msgspec.Struct, tag="presence"):
    id: int
    user: str
    online: bool
    rooms: list[str]
    since: float


Message = Chat | Join | Move | Ack | Presence

DECODER: msgspec.json.Decoder[Message] = msgspec.json.Decoder(Message)
ENCODER = msgspec.json.Encoder()

SAMPLES: tuple[Message, ...] = tuple(DECODER.decode(text) for text in TEXTS)

if tuple(ENCODER.encode(sample).decode() for sample in SAMPLES) != TEXTS:
    raise AssertionError("the Struct messages do not write the JSON bench.messages writes")
