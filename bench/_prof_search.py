import time, django, sys
django.setup()
from django.conf import settings
settings.PAGE_CACHE_SECONDS = 0
settings.SEARCH_RATE_LIMIT = "1000000/m"
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tumours import search
def t(f, n=10):
    best=[]
    for _ in range(n):
        s=time.perf_counter(); f(); best.append((time.perf_counter()-s)*1000)
    best.sort(); return f"min {best[0]:.1f} med {best[len(best)//2]:.1f}"
c = Client(HTTP_HOST="127.0.0.1")
for q in sys.argv[1:] or ["leiomyosarcoma", "myxoid sarcoma", "LMS", "synthetic", "zzqqxx", "leiomiosarcoma"]:
    with CaptureQueriesContext(connection) as cq:
        r = c.get("/search/", {"q": q})
    print(f"{q!r:20} search_tumours {t(lambda: search.search_tumours(query=q))}  view {t(lambda: c.get('/search/', {'q': q}))}  queries {len(cq)} status {r.status_code} hits {len(search.search_tumours(query=q).hits)}")
