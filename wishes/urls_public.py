"""Public (no login) micro-wish pages; filled in by the public-pages work."""

urlpatterns: list = []
