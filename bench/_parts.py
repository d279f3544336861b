import django, sys, time
django.setup()
from django.db import connection
from django.db.models import Exists, OuterRef
from tumours import search
from tumours.models import Tumour
from django.template.loader import render_to_string
words = sys.argv[1]
def t(f, n=50):
    best=[]
    for _ in range(n):
        s=time.perf_counter(); f(); best.append((time.perf_counter()-s)*1000)
    best.sort(); return f"min {best[0]:.2f} med {best[len(best)//2]:.2f}"
kits = Tumour.test_kits.through.objects.filter(tumour=OuterRef("pk"))
def build():
    return search._postgresql_matches(words).only(*search.SHOWN_FIELDS).annotate(has_kit=Exists(kits))[:20]
def compile_():
    return build().query.sql_with_params()
sqltext, params = compile_()
def raw():
    with connection.cursor() as c:
        c.execute(sqltext, params); return c.fetchall()
def full_list():
    return list(build())
res = search.search_tumours(query=words)
def snippets():
    terms = search._terms(words)
    return [search.highlighted_snippet(h.tumour, terms) for h in res.hits]
from django.test import RequestFactory
rf = RequestFactory()
req = rf.get("/search/", {"q": words})
from django.contrib.auth.models import AnonymousUser
req.user = AnonymousUser()
from tumours.models import TestKit
kitsl = list(TestKit.objects.for_links())
def tpl():
    return render_to_string("tumours/search.html", {"results": res, "kit_hits": [], "found": len(res.hits), "published_kits": kitsl}, request=req)
print("build qs", t(build)); print("compile", t(compile_)); print("raw exec", t(raw)); print("list(qs)", t(full_list))
print("snippets", t(snippets)); print("search_tumours", t(lambda: search.search_tumours(query=words))); print("template", t(tpl))
