from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from tumours.models import Tumour

from .forms import TestRequestForm
from .models import TestRequest
from .services import create_test_request

# The confirmation page finds the request through the session, so no reference or personal data is in a URL.
SESSION_KEY = "orders:last_request"


def request_test(request, slug):
    tumour = get_object_or_404(Tumour.objects.published(), slug=slug)
    test_kit = tumour.test_kits.first()
    if test_kit is None:
        raise Http404("No test kit is available for this tumour.")
    form = TestRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        test_request = create_test_request(tumour=tumour, test_kit=test_kit, data=form.cleaned_data)
        request.session[SESSION_KEY] = test_request.pk
        return redirect("orders:request_sent")
    return render(request, "orders/request_form.html", {"form": form, "tumour": tumour, "test_kit": test_kit})


def request_sent(request):
    pk = request.session.get(SESSION_KEY)
    test_request = TestRequest.objects.select_related("tumour", "test_kit").filter(pk=pk).first() if pk else None
    if test_request is None:
        return redirect("tumours:index")
    return render(request, "orders/request_sent.html", {"test_request": test_request})
