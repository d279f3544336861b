from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from tumours.models import Tumour

from .client_ip import order_rate, rate_limit_key
from .form_tokens import issue_form_token, read_form_token
from .forms import TestRequestForm
from .models import STATUS_LINK_DAYS, TestRequest, sha256_hex
from .references import new_reference
from .services import create_test_request

# The confirmation page finds the request through the session, so no reference or personal data is in a URL.
SESSION_KEY = "orders:last_request"
# A bot that filled the honeypot sees a confirmation like everyone's, with a reference that exists nowhere.
DECOY_SESSION_KEY = "orders:decoy_reference"
TRY_AGAIN = "Sorry, we could not accept the form this time. Please check your answers and press the button again."


@require_http_methods(["GET", "POST"])
def request_test(request, slug):
    tumour = get_object_or_404(Tumour.objects.published(), slug=slug)
    test_kit = tumour.test_kits.first()
    if test_kit is None:
        raise Http404("No test kit is available for this tumour.")
    context = {"tumour": tumour, "test_kit": test_kit}
    if request.method != "POST":
        return render(request, "orders/request_form.html", {**context, "form": TestRequestForm()})
    form = TestRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "orders/request_form.html", {**context, "form": form})
    # The form is valid: the checks below decide whether it is stored.
    if form.cleaned_data["website"]:
        request.session[DECOY_SESSION_KEY] = {"reference": new_reference(), "tumour": tumour.pk}
        request.session.pop(SESSION_KEY, None)
        return redirect("orders:request_sent")
    token = read_form_token(form.cleaned_data["form_token"])
    if token is None:
        # Too fast (a bot), over two hours old, or tampered with: nothing stored; a fresh token to try again.
        form = TestRequestForm({**request.POST.dict(), "form_token": issue_form_token()})
        form.is_valid()
        form.add_error(None, TRY_AGAIN)
        return render(request, "orders/request_form.html", {**context, "form": form})
    already = TestRequest.objects.filter(submission_token_hash=sha256_hex(token.nonce)).first()
    if already is None and is_ratelimited(
        request, group="orders.request_test", key=rate_limit_key, rate=order_rate, increment=True
    ):
        return render(request, "orders/rate_limited.html", context, status=429)
    test_request = already or create_test_request(
        tumour=tumour, test_kit=test_kit, data=form.cleaned_data, submission_token=token.nonce
    )
    request.session[SESSION_KEY] = test_request.pk
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
    if test_request is None:
        return render(request, "orders/status_not_found.html", status=404)
    response = render(request, "orders/status.html", {"test_request": test_request})
    # The token is in this page's address: keep it out of other sites' logs and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
