from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this, an exact count is cheap enough; above it PostgreSQL's COUNT(*) reads the whole table.
ESTIMATE_FROM_ROWS = 10_000


class EstimatedCountPaginator(Paginator):
    """The unfiltered changelist counts from PostgreSQL's table statistics (pg_class.reltuples, kept by
    autovacuum/ANALYZE) instead of COUNT(*) over every row; filtered lists and small tables count exactly."""

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                table = queryset.model._meta.db_table
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
                row = cursor.fetchone()
            if row and row[0] >= ESTIMATE_FROM_ROWS:
                return row[0]
        return super().count
