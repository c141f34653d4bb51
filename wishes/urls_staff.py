"""Staff micro-wish pages; filled in by the staff-pages work."""

urlpatterns: list = []
