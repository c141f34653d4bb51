"""Base viewsets: every API endpoint starts from ``visible_to(user)``.

Reading an object outside the caller's scope is a 404 (it does not exist for
them). Writing to an object they can see but not change is a 403, raised by the
services' ``require_change``, the same check the HTML views run.
"""

from rest_framework import mixins, viewsets


class ScopedViewSetMixin:
    """Subclasses set ``queryset`` to the unscoped base queryset."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Create/update/destroy delegate to the serializer's services (see ServiceSerializer)."""

    service_delete = None

    def perform_destroy(self, instance):
        type(self).service_delete(actor=self.request.user, **{self.delete_kwarg: instance})
