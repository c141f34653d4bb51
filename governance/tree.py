"""Materialized-path trees, shared by the territory tree and the party-organisation trees.

Each node stores ``path``, the ids of its ancestors and itself between slashes
(``/1/5/23/``), and ``depth`` (1 for a root). A subtree is then one indexed prefix
scan (``path LIKE '/1/5/%'``) on PostgreSQL and SQLite alike, and a node's
ancestors are read off its own path without a query.

Writes go through :func:`tree_insert` and :func:`tree_move` only; both run inside
the caller's transaction.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext_lazy as _

PATH_MAX_LENGTH = 255


def ids_in_path(path: str) -> list[int]:
    """The ids on a path, root first: ``/1/5/23/`` → ``[1, 5, 23]``."""
    return [int(part) for part in path.strip("/").split("/") if part]


def child_path(parent_path: str | None, pk: int) -> str:
    return f"{parent_path or '/'}{pk}/"


class TreeQuerySet(models.QuerySet):
    def within(self, node, *, include_self: bool = True):
        """The subtree under ``node`` (a node or a path)."""
        path = node if isinstance(node, str) else node.path
        qs = self.filter(path__startswith=path)
        if not include_self:
            qs = qs.exclude(path=path)
        return qs

    def ancestors_of(self, node, *, include_self: bool = False):
        ids = ids_in_path(node.path)
        if not include_self:
            ids = ids[:-1]
        return self.filter(pk__in=ids).order_by("depth")


class PathNode(models.Model):
    """Abstract base of a tree node. Concrete models add ``parent`` pointing at themselves."""

    path = models.CharField(_("tree path"), max_length=PATH_MAX_LENGTH, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False)

    class Meta:
        abstract = True
        # On PostgreSQL the path column uses the "C" collation (migrations
        # communities 0002 and partyorgs 0003): byte order makes the plain unique
        # btree index serve both ``LIKE '/1/5/%'`` and ``ORDER BY path``, so the
        # first page of a subtree is an index range scan. With a linguistic
        # collation PostgreSQL could do neither. If a later migration alters this
        # field, it must re-apply the collation.
        indexes: list = []

    @property
    def ancestor_ids(self) -> list[int]:
        return ids_in_path(self.path)[:-1]

    def is_within(self, other: PathNode) -> bool:
        return self.path.startswith(other.path)


def tree_insert(node: PathNode, *, parent: PathNode | None) -> PathNode:
    """Save a new node under ``parent``. The path needs the node's id, so it is
    written in a second UPDATE once the INSERT has given us one."""
    node.parent = parent
    node.depth = (parent.depth + 1) if parent else 1
    node.path = f"/new-{uuid.uuid4().hex}/"
    node.save()
    node.path = child_path(parent.path if parent else None, node.pk)
    type(node).objects.filter(pk=node.pk).update(path=node.path)
    if len(node.path) > PATH_MAX_LENGTH:
        raise ValueError("tree too deep for the path column")
    return node


def tree_move(node: PathNode, *, new_parent: PathNode | None) -> int:
    """Re-hang ``node`` and its whole subtree under ``new_parent`` in one UPDATE.

    The caller must hold row locks on ``node`` and ``new_parent`` taken *after*
    any concurrent move committed, and must have checked that ``new_parent`` is
    not inside the subtree. Returns the number of rows rewritten.
    """
    old_path = node.path
    new_path = child_path(new_parent.path if new_parent else None, node.pk)
    depth_delta = ((new_parent.depth + 1) if new_parent else 1) - node.depth
    model = type(node)
    model.objects.filter(pk=node.pk).update(parent=new_parent)
    rows = model.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
        depth=F("depth") + depth_delta,
    )
    node.parent = new_parent
    node.path = new_path
    node.depth += depth_delta
    return rows


def use_c_collation(table: str, column: str = "path"):
    """A migration operation: give a path column the "C" collation on PostgreSQL
    (other databases compare paths byte-wise already or cannot use the index)."""
    from django.db import migrations

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({PATH_MAX_LENGTH}) COLLATE "C"'
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({PATH_MAX_LENGTH}) COLLATE "default"'
        )

    return migrations.RunPython(forwards, backwards)
