# Close names come from a GiST trigram index, nearest first (ORDER BY name <->> query LIMIT n): ~1 ms at 10,000
# pages, where the GIN index's `name %> query` handed every name sharing the query's trigrams (1,125 for "myxoid
# sarcoma") to be rechecked one by one (~7 ms). Suggestions for a query with no match use it too, instead of
# difflib over every name (~110 ms). The GIN trigram indexes have no query left: dropped. SQLite has neither.

from django.db import migrations

CREATE_SQL = """
CREATE INDEX tumours_tumour_name_trgm_gist ON tumours_tumour USING gist (name gist_trgm_ops);
CREATE INDEX tumours_tumour_aliases_trgm_gist ON tumours_tumour USING gist (also_known_as gist_trgm_ops);
DROP INDEX IF EXISTS tumours_tumour_name_trgm;
DROP INDEX IF EXISTS tumours_tumour_aliases_trgm;
"""

DROP_SQL = """
CREATE INDEX tumours_tumour_name_trgm ON tumours_tumour USING gin (name gin_trgm_ops);
CREATE INDEX tumours_tumour_aliases_trgm ON tumours_tumour USING gin (also_known_as gin_trgm_ops);
DROP INDEX IF EXISTS tumours_tumour_name_trgm_gist;
DROP INDEX IF EXISTS tumours_tumour_aliases_trgm_gist;
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tumours", "0010_tumour_summary_text")]

    operations = [migrations.RunPython(run_on_postgresql(CREATE_SQL), run_on_postgresql(DROP_SQL))]
