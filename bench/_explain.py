import django, sys
django.setup()
from django.db import connection
from tumours import search
words = search.query_words(search.clean_query(sys.argv[1]))
qs = search._postgresql_matches(words).only(*search.SHOWN_FIELDS)[:20]
with connection.cursor() as c:
    sqltext, params = qs.query.sql_with_params()
    c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sqltext, params)
    print("\n".join(r[0] for r in c.fetchall()))
