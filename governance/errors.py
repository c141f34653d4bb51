"""Errors the services raise, understood by both the API and the HTML views."""


class Conflict(Exception):
    """The record is not in a state that allows the action: someone else got there
    first, or the action does not apply any more. HTTP 409."""
