from django.shortcuts import get_object_or_404, render

from .index import a_to_z
from .models import Tumour


def home(request):
    tumours = Tumour.objects.published().prefetch_related("test_kits")
    return render(request, "tumours/home.html", {"tumours": tumours})


def index(request):
    return render(request, "tumours/index.html", {"letters": a_to_z(Tumour.objects.published())})


def detail(request, slug):
    tumour = get_object_or_404(Tumour.objects.published().with_page_content(), slug=slug)
    return render(request, "tumours/detail.html", {"tumour": tumour})
