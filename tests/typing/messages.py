"""The message types the typing checks share."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter


class Chat(BaseModel):
    text: str


class Join(BaseModel):
    type: Literal["join"]
    name: str


class Say(BaseModel):
    type: Literal["say"]
    text: str


class Said(BaseModel):
    text: str


class Ask(BaseModel):
    """A request: answered with an Answer of its id."""

    type: Literal["ask"]
    id: str
    question: str


class Answer(BaseModel):
    type: Literal["answer"] = "answer"
    id: str = ""
    text: str


class Problem(BaseModel):
    reason: str


ClientMsg = Annotated[Join | Say, Field(discriminator="type")]
client_adapter: TypeAdapter[Join | Say] = TypeAdapter(ClientMsg)
