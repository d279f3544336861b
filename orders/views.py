from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oncosite.client_ip import client_ip
from oncosite.pages import contact_details
from tumours.models import Tumour

from .form_tokens import issue_form_token
from .forms import TestRequestForm
from .models import STATUS_LINK_DAYS, TestRequest, sha256_hex
from .services import Outcome, submit_request

# The confirmation page finds the request through the session, so no reference or personal data is in a URL.
SESSION_KEY = "orders:last_request"
# A bot that filled the honeypot sees a confirmation like everyone's, with a reference that exists nowhere.
DECOY_SESSION_KEY = "orders:decoy_reference"
TRY_AGAIN = "Sorry, we could not accept the form this time. Please check your answers and press the button again."


@require_http_methods(["GET", "POST"])
def request_test(request, slug):
    tumour = get_object_or_404(Tumour.objects.published(), slug=slug)
    # A kit's page names the kit chosen there (?kit=), for a tumour that offers several; the form posts back to
    # the same address, so the choice holds. Otherwise the tumour's first kit, as its page's kit box offers.
    kits = tumour.test_kits.all()
    test_kit = kits.filter(slug=request.GET["kit"]).first() if request.GET.get("kit") else kits.first()
    if test_kit is None:
        raise Http404("No test kit is available for this tumour.")
    context = {"tumour": tumour, "test_kit": test_kit}
    form = TestRequestForm(request.POST if request.method == "POST" else None)
    if not form.is_bound or not form.is_valid():
        return render(request, "orders/request_form.html", {**context, "form": form})
    submission = submit_request(tumour=tumour, test_kit=test_kit, data=form.cleaned_data, client_ip=client_ip(request))
    if submission.outcome == Outcome.RETRY:
        # Nothing stored; the same answers with a fresh token, to send again.
        form = TestRequestForm({**request.POST.dict(), "form_token": issue_form_token()})
        form.is_valid()
        form.add_error(None, TRY_AGAIN)
        return render(request, "orders/request_form.html", {**context, "form": form})
    if submission.outcome == Outcome.RATE_LIMITED:
        return render(request, "orders/rate_limited.html", context, status=429)
    if submission.outcome == Outcome.DECOY:
        request.session[DECOY_SESSION_KEY] = {"reference": submission.decoy_reference, "tumour": tumour.pk}
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = submission.test_request.pk
        request.session.pop(DECOY_SESSION_KEY, None)
    return redirect("orders:request_sent")


def request_sent(request):
    pk = request.session.get(SESSION_KEY)
    test_request = TestRequest.objects.select_related("tumour", "test_kit").filter(pk=pk).first() if pk else None
    if test_request is not None:
        context = {"reference": test_request.reference, "tumour": test_request.tumour, "kit": test_request.test_kit}
        return render(request, "orders/request_sent.html", context)
    decoy = request.session.get(DECOY_SESSION_KEY)
    tumour = Tumour.objects.filter(pk=decoy["tumour"]).first() if isinstance(decoy, dict) else None
    if tumour is None:
        return redirect("tumours:index")
    context = {"reference": decoy["reference"], "tumour": tumour, "kit": tumour.test_kits.first()}
    return render(request, "orders/request_sent.html", context)


@never_cache
def request_status(request, token):
    cutoff = timezone.now() - timezone.timedelta(days=STATUS_LINK_DAYS)
    test_request = (
        TestRequest.objects.select_related("tumour")
        .filter(status_token_hash=sha256_hex(token), created_at__gt=cutoff, erased_at__isnull=True)
        .exclude(status_token_hash="")
        .first()
        if 20 <= len(token) <= 128
        else None
    )
    context = {"link_days": STATUS_LINK_DAYS, "contact": contact_details()}
    if test_request is None:
        return render(request, "orders/status_not_found.html", context, status=404)
    response = render(request, "orders/status.html", {**context, "test_request": test_request})
    # The token is in this page's address: keep it out of other sites' logs and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
