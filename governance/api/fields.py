from rest_framework import serializers


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key the caller can only point at records they can see.

    An id outside their scope reads as "does not exist", as it does everywhere else.
    """

    def get_queryset(self):
        request = self.context.get("request")
        user = request.user if request else None
        return super().get_queryset().visible_to(user)
