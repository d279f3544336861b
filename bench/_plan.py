import django, sys, time, re
django.setup()
from django.db import connection
from tumours import search
words = sys.argv[1]
from django.db.models import Exists, OuterRef
from tumours.models import Tumour
kits = Tumour.test_kits.through.objects.filter(tumour=OuterRef("pk"))
qs = search._postgresql_matches(words).only(*search.SHOWN_FIELDS).annotate(has_kit=Exists(kits))[:20]
sqltext, params = qs.query.sql_with_params()
with connection.cursor() as c:
    plans, execs = [], []
    for _ in range(20):
        c.execute("EXPLAIN (ANALYZE) " + sqltext, params)
        out = "\n".join(r[0] for r in c.fetchall())
        plans.append(float(re.search(r"Planning Time: ([\d.]+)", out).group(1)))
        execs.append(float(re.search(r"Execution Time: ([\d.]+)", out).group(1)))
    print("plan min/med", min(plans), sorted(plans)[10], "exec min/med", min(execs), sorted(execs)[10])
