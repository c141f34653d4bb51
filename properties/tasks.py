"""Celery jobs of property services (found by autodiscovery through this module)."""

from .tasks_committees import *  # noqa: F401,F403
from .tasks_ratings import *  # noqa: F401,F403
