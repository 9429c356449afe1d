"""The error message endpoints send back."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from typedws.errors import InvalidMessage

__all__ = ["ErrorItem", "ErrorReply"]


class ErrorItem(TypedDict):
    """One error of an invalid message, as in ``InvalidMessage.errors``: never the input."""

    type: str
    loc: list[str | int]
    msg: str


class ErrorReply(BaseModel):
    """The error message sent back for an invalid message, or for a request that failed.

    ``kind`` is the failure kind (``"handler"`` for a request whose handler raised),
    ``code`` the close code it would have had, ``reason`` the close reason it would have
    had, ``errors`` pydantic's errors without the input, ``id`` the request's correlation
    id when the failed message was a request.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True)

    type: Literal["error"] = "error"
    kind: Literal["frame_type", "json", "validation", "too_big", "handler"]
    code: int
    reason: str
    errors: list[ErrorItem] = Field(default_factory=list[ErrorItem])
    id: str | int | None = None

    @classmethod
    def of(cls, error: InvalidMessage) -> ErrorReply:
        """The error reply to an invalid message."""
        items = [
            ErrorItem(type=item["type"], loc=list(item["loc"]), msg=item["msg"])
            for item in error.errors
        ]
        return cls(
            kind=error.kind,
            code=error.close_code,
            reason=error.reason,
            errors=items,
            id=error.correlation_id,
        )
