import django, sys, time
django.setup()
from django.db import connection
from tumours import search
from tumours.models import Tumour
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import F, Q
from django.db.models.functions import Greatest
def t(f, n=30):
    best=[]
    for _ in range(n):
        s=time.perf_counter(); f(); best.append((time.perf_counter()-s)*1000)
    best.sort(); return f"min {best[0]:.1f} med {best[len(best)//2]:.1f}"
def union(words):
    return list(search._postgresql_matches(words).only(*search.SHOWN_FIELDS)[:20])
def two_step(words):
    text_query = SearchQuery(words, search_type="plain", config="english")
    with connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.word_similarity_threshold = %s", [0.55])
    published = Tumour.objects.published()
    ids = list(search._nearest(published, "name", words).union(search._nearest(published, "also_known_as", words)).values_list("pk", flat=True))
    name_similarity = Greatest(TrigramWordSimilarity(words, "name"), TrigramWordSimilarity(words, "also_known_as"))
    qs = (published.filter(Q(search_vector=text_query) | Q(pk__in=ids))
        .annotate(rank=SearchRank(F("search_vector"), text_query), similarity=name_similarity)
        .order_by((F("rank") + F("similarity")).desc(), "name"))
    return list(qs.only(*search.SHOWN_FIELDS)[:20])
for q in sys.argv[1:]:
    assert [x.pk for x in union(q)] == [x.pk for x in two_step(q)], q
    print(q, "union", t(lambda: union(q)), "two-step", t(lambda: two_step(q)), "union", t(lambda: union(q)))
