"""The error message endpoints send back."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from typedws.errors import ErrorItem, InvalidMessage

__all__ = ["ErrorItem", "ErrorReply", "reply_fields"]


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
        return cls(**reply_fields(error))


def reply_fields(error: InvalidMessage) -> dict[str, Any]:
    """The fields of the error reply to *error*, for ``ErrorReply.of`` of either library."""
    return {
        "kind": error.kind,
        "code": error.close_code,
        "reason": error.reason,
        "errors": [
            ErrorItem(type=item["type"], loc=list(item["loc"]), msg=item["msg"])
            for item in error.errors
        ],
        "id": error.correlation_id,
    }
