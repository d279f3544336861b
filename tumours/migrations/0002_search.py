# Full-text search on PostgreSQL: a weighted tsvector kept current by triggers, and trigram indexes for
# misspelt names. SQLite gets the (always empty) column only; tumours/search.py falls back to icontains there.

import django.contrib.postgres.search
from django.db import migrations

# Name and aliases weigh most (A), then the summary (B), then the sections' headings and text (C).
CREATE_SQL = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE OR REPLACE FUNCTION tumours_tumour_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.name, '') || ' ' || coalesce(NEW.also_known_as, '')), 'A')
        || setweight(to_tsvector('english', coalesce(NEW.summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(
            (SELECT string_agg(s.heading || ' ' || s.body, ' ' ORDER BY s.position, s.id)
             FROM tumours_section s WHERE s.tumour_id = NEW.id), '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER tumours_tumour_search_vector_update
    BEFORE INSERT OR UPDATE ON tumours_tumour
    FOR EACH ROW EXECUTE FUNCTION tumours_tumour_search_vector();

-- A section lives in its own table: any change to one makes its tumour recompute its vector.
CREATE OR REPLACE FUNCTION tumours_section_touch_tumour() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE tumours_tumour SET search_vector = NULL WHERE id = OLD.tumour_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.tumour_id IS DISTINCT FROM OLD.tumour_id) THEN
        UPDATE tumours_tumour SET search_vector = NULL WHERE id = NEW.tumour_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER tumours_section_search_vector_update
    AFTER INSERT OR UPDATE OR DELETE ON tumours_section
    FOR EACH ROW EXECUTE FUNCTION tumours_section_touch_tumour();

CREATE INDEX tumours_tumour_search_vector_gin ON tumours_tumour USING gin (search_vector);
CREATE INDEX tumours_tumour_name_trgm ON tumours_tumour USING gin (name gin_trgm_ops);
CREATE INDEX tumours_tumour_aliases_trgm ON tumours_tumour USING gin (also_known_as gin_trgm_ops);

-- Fill the vector for pages that exist already.
UPDATE tumours_tumour SET search_vector = NULL;
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS tumours_section_search_vector_update ON tumours_section;
DROP FUNCTION IF EXISTS tumours_section_touch_tumour();
DROP TRIGGER IF EXISTS tumours_tumour_search_vector_update ON tumours_tumour;
DROP FUNCTION IF EXISTS tumours_tumour_search_vector();
DROP INDEX IF EXISTS tumours_tumour_search_vector_gin;
DROP INDEX IF EXISTS tumours_tumour_name_trgm;
DROP INDEX IF EXISTS tumours_tumour_aliases_trgm;
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("tumours", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="tumour",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(run_on_postgresql(CREATE_SQL), run_on_postgresql(DROP_SQL)),
    ]
