"""Base pieces of the property pages: the staff pages' mixins, opened to property
company staff as well (what they see is still decided by ``visible_to``)."""

from governance.web.mixins import StaffRequiredMixin

from .access import is_property_user


class PropertyAccessMixin(StaffRequiredMixin):
    """Put first in a property view's bases: staff with a territory role, or the
    staff of a property company, may open the page."""

    def has_access(self, user) -> bool:
        return is_property_user(user)
