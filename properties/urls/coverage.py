"""companies pages (filled in by its owner)."""

urlpatterns = []
