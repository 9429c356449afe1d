"""Ending the tasks the test client runs an app in: within a timeout, else cancelled."""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["end"]


async def end(task: asyncio.Task[None], timeout: float | None) -> BaseException | None:
    """Let *task* end within *timeout* seconds (``None``: no limit), else cancel it; return
    what it raised (``None`` when it returned or was cancelled)."""
    await asyncio.wait({task}, timeout=timeout)
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return None
    return None if task.cancelled() else task.exception()
