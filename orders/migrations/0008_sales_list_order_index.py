# The sales list's order (TestRequestAdmin.ordering plus the admin's "-pk" tie-break) as an index, so that a page
# of it is read from the index instead of sorting every row. PostgreSQL only: SQLite cannot index NULLS FIRST,
# and a development database is small enough to sort.

from django.db import migrations

CREATE_SQL = (
    "CREATE INDEX IF NOT EXISTS orders_tr_sales_list_order ON orders_testrequest "
    "(first_contacted_at ASC NULLS FIRST, next_action_on ASC NULLS LAST, created_at ASC, id DESC);"
)
DROP_SQL = "DROP INDEX IF EXISTS orders_tr_sales_list_order;"


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_owner_limit_choices_from_team"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(CREATE_SQL), run_on_postgresql(DROP_SQL)),
    ]
