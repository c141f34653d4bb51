"""Base pieces of the property API: the same viewsets as the rest of the API, opened
to property company staff (read-only: their querysets never pass ``changeable_by``)."""

from rest_framework.permissions import BasePermission

from .access import is_property_user


class IsPropertyUser(BasePermission):
    """Staff with a territory role, or the staff of a property company."""

    message = "You hold no staff role in the portal."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and is_property_user(user))


class PropertyApiMixin:
    """Mixed into property viewsets (before the scoped base viewset)."""

    permission_classes = [IsPropertyUser]
