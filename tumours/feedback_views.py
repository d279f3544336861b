"""'Is this page helpful?' and 'Report a problem with this page': plain forms, no script needed.

The question sits on the cached public page, so its form carries no CSRF token (a token would make every page
uncacheable: tumours/cache.py stores no response that used one) and the view is CSRF-exempt. Forging a post
gains nothing a visitor could not do, and the request form's defences stand in: a honeypot field, a signed token
that the post came from a page we served (at most two hours ago, and not within FEEDBACK_FORM_MIN_SECONDS), and a
rate limit per client address. A cached page's token is as old as the cached copy, which only loosens the lower
bound; the text form after "No" is never cached, so its token is the visitor's own.
"""

from django import forms
from django.conf import settings
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage

from oncosite.client_ip import client_ip
from orders.form_tokens import MAX_AGE_SECONDS, issue_form_token, read_form_token
from orders.forms import DescribedBoundField

from .feedback import COMMENT_MAX_CHARS, PageFeedback, add_comment, record_feedback
from .models import Tumour

TOKEN_SALT = "tumours.feedback-form"  # noqa: S105 - a signing salt, not a secret
ANSWER_SALT = "tumours.feedback-answer"
ANSWER_MAX_AGE = 2 * 60 * 60
RATE_LIMIT_GROUP = "tumours.feedback"
PRIVACY_HINT = (
    "Do not include personal or medical information, such as your name, e-mail address, phone number or "
    "details of your health. We cannot reply to you here."
)


def feedback_form_token() -> str:
    return issue_form_token(salt=TOKEN_SALT)


def feedback_token_max_age() -> int:
    """How old a feedback form's token may be. The form rides on every tumour page, and a copy of the page may be
    served for as long as the page cache and then the front cache keep it (stale included), issued long before the
    visitor reads it: the token outlives that, plus two hours of reading. The rate limit, not the token's age,
    holds back floods; the token still proves the post came from one of our pages."""
    cached_for = settings.PAGE_CACHE_SECONDS + settings.FRONT_CACHE_S_MAXAGE + settings.FRONT_CACHE_STALE_IF_ERROR
    return MAX_AGE_SECONDS + cached_for


class FeedbackForm(forms.Form):
    bound_field_class = DescribedBoundField
    helpful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], required=False)
    comment = forms.CharField(
        label="What is wrong with this page, or what is missing?",
        help_text=PRIVACY_HINT,
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"Keep it to {COMMENT_MAX_CHARS:,} characters or fewer."},
    )
    # Which "No" this text belongs to (signed, so a post can only add to an answer it was given).
    answer = forms.CharField(required=False, widget=forms.HiddenInput)
    # Anti-abuse fields: never errors themselves; the view checks them once the form is valid.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_token"] = feedback_form_token()


def _genuine_token(value: str) -> bool:
    token = read_form_token(
        value, salt=TOKEN_SALT, min_seconds=settings.FEEDBACK_FORM_MIN_SECONDS, max_age=feedback_token_max_age()
    )
    return token is not None


def _rate_limited(request) -> bool:
    address = client_ip(request) or "unknown"
    usage = get_usage(
        None,
        group=RATE_LIMIT_GROUP,
        key=lambda group, request: address,
        rate=lambda group, request: settings.FEEDBACK_RATE_LIMIT,
        increment=True,
    )
    return bool(usage and usage["should_limit"])


def _answer_of(signed: str, tumour: Tumour) -> PageFeedback | None:
    try:
        pk = signing.loads(signed, salt=ANSWER_SALT, max_age=ANSWER_MAX_AGE)
    except signing.BadSignature:
        return None
    return PageFeedback.objects.filter(pk=pk, tumour=tumour).first()


def _page(request, tumour: Tumour, form: FeedbackForm, *, status: int = 200, after_no: bool = False, retry=False):
    context = {"tumour": tumour, "form": form, "after_no": after_no, "retry": retry, "privacy_hint": PRIVACY_HINT}
    response = render(request, "tumours/feedback.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def feedback(request, slug):
    tumour = get_object_or_404(Tumour.objects.published(), slug=slug)
    if request.method == "GET":
        answer = request.GET.get("answer", "")
        after_no = bool(answer) and _answer_of(answer, tumour) is not None
        return _page(request, tumour, FeedbackForm(initial={"answer": answer if after_no else ""}), after_no=after_no)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _page(request, tumour, form, status=400)
    data = form.cleaned_data
    if data["website"]:
        return redirect("tumours:feedback_thanks", slug=tumour.slug)  # a bot: thanked, nothing stored
    if not _genuine_token(data["form_token"]):
        # Nothing stored; the same text with a fresh token, to send again.
        form = FeedbackForm(initial={"answer": data["answer"], "comment": data["comment"], "helpful": data["helpful"]})
        return _page(request, tumour, form, after_no=bool(data["answer"]), retry=True)
    if _rate_limited(request):
        return render(request, "tumours/feedback_rate_limited.html", {"tumour": tumour}, status=429)
    return _store(request, tumour, form)


def _store(request, tumour: Tumour, form: FeedbackForm):
    data = form.cleaned_data
    answer = _answer_of(data["answer"], tumour) if data["answer"] else None
    if answer is not None:
        add_comment(feedback=answer, comment=data["comment"])
        return redirect("tumours:feedback_thanks", slug=tumour.slug)
    helpful = {"yes": True, "no": False}.get(data["helpful"])
    if helpful is None and not data["comment"].strip():
        form.add_error("comment", "Tell us what is wrong with the page, or go back to it.")
        return _page(request, tumour, form, status=400)
    stored = record_feedback(tumour=tumour, helpful=helpful, comment=data["comment"])
    if helpful is False and not stored.comment:
        signed = signing.dumps(stored.pk, salt=ANSWER_SALT)
        return redirect(f"{reverse('tumours:feedback', args=[tumour.slug])}?answer={signed}")
    return redirect("tumours:feedback_thanks", slug=tumour.slug)


def feedback_thanks(request, slug):
    tumour = get_object_or_404(Tumour.objects.published(), slug=slug)
    response = render(request, "tumours/feedback_thanks.html", {"tumour": tumour})
    response["X-Robots-Tag"] = "noindex"
    return response
