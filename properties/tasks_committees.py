"""Re-election reminders (filled in by its owner)."""

__all__ = []
