"""The typedws benchmark suite: ``python -m bench`` (see docs/performance.md)."""
