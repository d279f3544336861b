# The search vector leaves citations out: "[@wikipedia-lms]" made every page citing Wikipedia a hit for
# "wikipedia" and "lms". The same function as 0002_search, with citation syntax (tumours/citations.py) removed
# from the summary and the sections' text first. SQLite has no vector (tumours/search.py falls back to icontains).

from django.db import migrations

# A POSIX regular expression in a standard SQL string (backslashes as written).
CITATION = r"\[[[:blank:]]*@[A-Za-z0-9_][^]]*\]"


def search_vector_function(text_of) -> str:
    return f"""
CREATE OR REPLACE FUNCTION tumours_tumour_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.name, '') || ' ' || coalesce(NEW.also_known_as, '')), 'A')
        || setweight(to_tsvector('english', {text_of("coalesce(NEW.summary, '')")}), 'B')
        || setweight(to_tsvector('english', coalesce(
            (SELECT string_agg(s.heading || ' ' || {text_of("s.body")}, ' ' ORDER BY s.position, s.id)
             FROM tumours_section s WHERE s.tumour_id = NEW.id), '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

UPDATE tumours_tumour SET search_vector = NULL;
"""


WITHOUT_CITATIONS = search_vector_function(lambda text: f"regexp_replace({text}, '{CITATION}', ' ', 'g')")
AS_BEFORE = search_vector_function(lambda text: text)


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("tumours", "0008_source_keys")]

    operations = [migrations.RunPython(run_on_postgresql(WITHOUT_CITATIONS), run_on_postgresql(AS_BEFORE))]
