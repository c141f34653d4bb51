from rest_framework.permissions import BasePermission

from governance.scoping import scope_for


class IsScopedStaff(BasePermission):
    """Authenticated users who hold at least one staff role (or are superusers).

    What they may see is then narrowed by ``visible_to`` in each viewset.
    """

    message = "You hold no staff role in the portal."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return not scope_for(user).is_empty
