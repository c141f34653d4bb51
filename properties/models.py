"""Property services (红色物业): companies, committees, service modes and star ratings.

Built in its own issue; the app is registered now so that migrations and scoping
have a stable home for it.
"""
