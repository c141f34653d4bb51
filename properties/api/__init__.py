"""The property API under /api/v1/: each module registers its viewsets."""

from . import committees, companies, coverage, ratings, residents


def register(router) -> None:
    for module in (companies, coverage, committees, ratings, residents):
        module.register(router)


def urlpatterns():
    """Paths that are not plain viewsets (``areas/<id>/three-coverage/``...)."""
    return [p for module in (companies, coverage, committees, ratings, residents) for p in module.urlpatterns]
