import time, django, sys, cProfile, pstats
django.setup()
from django.db import connection
from tumours import search
from tumours.models import Tumour
q = sys.argv[1]
words = search.query_words(search.clean_query(q))
def sql():
    return list(search._postgresql_matches(words).defer("search_vector")[:20])
def t(f, n=10):
    best=[]
    for _ in range(n):
        s=time.perf_counter(); f(); best.append((time.perf_counter()-s)*1000)
    best.sort(); return f"min {best[0]:.1f} med {best[len(best)//2]:.1f}"
print("sql", t(sql))
print("full", t(lambda: search.search_tumours(query=q)))
qs = search._postgresql_matches(words).defer("search_vector")[:20]
with connection.cursor() as c:
    sqltext, params = qs.query.sql_with_params()
    c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sqltext, params)
    print("\n".join(r[0] for r in c.fetchall()))
cProfile.run("for _ in range(5): search.search_tumours(query=q)", "/tmp/s.prof")
pstats.Stats("/tmp/s.prof").sort_stats("cumulative").print_stats(25)
