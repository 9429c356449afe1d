"""Broadcast backends: ``memory`` (in-process) and ``redis`` (imports redis-py)."""
