"""Rating period jobs (filled in by its owner)."""

__all__ = []
