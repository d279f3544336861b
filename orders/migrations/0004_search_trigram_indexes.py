# The sales admin searches reference, e-mail and name with icontains (UPPER(col) LIKE UPPER('%q%')): at 100,000
# requests each of its four queries scanned the whole table (~120 ms each). Trigram GIN indexes on the same
# UPPER() expressions answer them from the index. PostgreSQL only; SQLite has no such index and needs none.

from django.db import migrations

COLUMNS = ["reference", "email", "full_name"]

CREATE_SQL = "CREATE EXTENSION IF NOT EXISTS pg_trgm;\n" + "\n".join(
    f"CREATE INDEX IF NOT EXISTS orders_testrequest_{c}_upper_trgm "
    f'ON orders_testrequest USING gin ((UPPER("{c}"::text)) gin_trgm_ops);'
    for c in COLUMNS
)
DROP_SQL = "\n".join(f"DROP INDEX IF EXISTS orders_testrequest_{c}_upper_trgm;" for c in COLUMNS)


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_pipeline_notifications_privacy"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(CREATE_SQL), run_on_postgresql(DROP_SQL)),
    ]
