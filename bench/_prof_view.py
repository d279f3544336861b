import django, sys, time, cProfile, pstats
django.setup()
from django.conf import settings
settings.PAGE_CACHE_SECONDS = 0
settings.SEARCH_RATE_LIMIT = "1000000/m"
settings.DEBUG = False
from django.test import Client
from tumours import search
c = Client(HTTP_HOST="127.0.0.1")
url = sys.argv[1]
def t(f, n=30):
    best=[]
    for _ in range(n):
        s=time.perf_counter(); f(); best.append((time.perf_counter()-s)*1000)
    best.sort(); return f"min {best[0]:.1f} med {best[len(best)//2]:.1f}"
r = c.get(url); print(r.status_code, len(r.content))
print(url, "view", t(lambda: c.get(url)))
if len(sys.argv) > 2:
    cProfile.run("for _ in range(10): c.get(url)", "/tmp/v.prof")
    pstats.Stats("/tmp/v.prof").sort_stats(sys.argv[2]).print_stats(30)
