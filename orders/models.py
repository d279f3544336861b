import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from tumours.models import TestKit, Tumour

from .team import in_sales_team

# Names and addresses are single lines of printable text; a control character is never meant.
no_control_characters = RegexValidator(
    r"[\x00-\x1f\x7f]", "Remove the invisible control characters.", code="control_characters", inverse_match=True
)
phone_validator = RegexValidator(
    r"^\+?[0-9 ()\-]{6,30}$",
    "Enter a phone number using digits, spaces, brackets or dashes, optionally starting with +.",
    code="invalid_phone",
)

STATUS_LINK_DAYS = 90
DUPLICATE_WINDOW_DAYS = 30
NEXT_ACTION_NOTE_LENGTH = 200


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class TestRequestQuerySet(models.QuerySet):
    def possible_duplicates_of(self, test_request: "TestRequest"):
        """Others for the same tumour within the window, with the same e-mail or the same phone digits."""
        same_person = models.Q(email__iexact=test_request.email) if test_request.email else models.Q(pk__in=[])
        if test_request.phone_digits:
            same_person |= models.Q(phone_digits=test_request.phone_digits)
        if test_request.phone_e164:
            same_person |= models.Q(phone_e164=test_request.phone_e164)
        window = timedelta(days=DUPLICATE_WINDOW_DAYS)
        created = test_request.created_at or timezone.now()
        return (
            self.filter(same_person, tumour_id=test_request.tumour_id, erased_at__isnull=True)
            .filter(created_at__gte=created - window, created_at__lte=created + window)
            .exclude(pk=test_request.pk)
        )

    def open(self):
        return self.exclude(status__in=TestRequest.CLOSED_STATUSES)

    def awaiting_first_contact(self):
        return self.open().filter(first_contacted_at__isnull=True)

    def overdue(self, now=None):
        """Open requests nobody has contacted yet, past their first-contact deadline."""
        return self.awaiting_first_contact().filter(first_contact_due_at__lt=now or timezone.now())

    def reached(self, stage: str):
        """Requests that got at least as far as stage along the pipeline, even if later lost or spam."""
        later = TestRequest.PIPELINE[TestRequest.PIPELINE.index(stage) :]
        passed = RequestStatusChange.objects.filter(test_request=models.OuterRef("pk"), to_status__in=later)
        return self.filter(models.Q(status__in=later) | models.Exists(passed))

    def follow_up_due(self, day=None):
        """Open requests whose next action is due on or before day (default today, in the sales time zone)."""
        from .working_hours import working_week

        day = day or timezone.localtime(timezone=working_week().zone).date()
        return self.open().filter(next_action_on__lte=day)


class TestRequest(models.Model):
    class RequesterType(models.TextChoices):
        PATIENT = "patient", "Patient"
        CARER = "carer", "Carer or family member"
        CLINICIAN = "clinician", "Clinician"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        CONSENT_RECEIVED = "consent_received", "Consent received"
        SAMPLE_RECEIVED = "sample_received", "Sample received"
        REPORT_ISSUED = "report_issued", "Report issued"
        LOST = "lost", "Lost"
        SPAM = "spam", "Spam"

    class CloseReason(models.TextChoices):
        NO_RESPONSE = "no_response", "No response after several attempts"
        NOT_ELIGIBLE = "not_eligible", "Not eligible for the test"
        DECLINED = "declined", "Decided not to go ahead"
        COST = "cost", "Cost or insurance"
        OTHER_TEST = "other_test", "Chose another test"
        DUPLICATE = "duplicate", "Duplicate of another request"
        JUNK = "junk", "Junk or automated"
        OTHER = "other", "Other (see the note)"

    CLOSED_STATUSES = (Status.REPORT_ISSUED, Status.LOST, Status.SPAM)
    # The way forward, one step at a time; any open status may also go to lost or spam (services.py).
    PIPELINE = (Status.NEW, Status.CONTACTED, Status.CONSENT_RECEIVED, Status.SAMPLE_RECEIVED, Status.REPORT_ISSUED)
    # What the requester reads on the private status page: plain words, no jargon.
    STATUS_IN_PLAIN_WORDS = {
        Status.NEW: "We have your request. A member of our team will contact you, usually within one working day.",
        Status.CONTACTED: "We have been in touch with you and are waiting for your consent to go ahead.",
        Status.CONSENT_RECEIVED: "We have your consent and are arranging for a tumour sample to be sent to us.",
        Status.SAMPLE_RECEIVED: "Our laboratory has your tumour sample and is analysing it.",
        Status.REPORT_ISSUED: "Your report has been sent to your clinician, who will talk it through with you.",
        Status.LOST: "This request is closed. Contact us, quoting your reference, if you would like to go ahead.",
        Status.SPAM: "This request is closed. Contact us, quoting your reference, if you would like to go ahead.",
    }

    reference = models.CharField(max_length=16, unique=True, editable=False)
    tumour = models.ForeignKey(Tumour, on_delete=models.PROTECT, related_name="test_requests")
    test_kit = models.ForeignKey(TestKit, on_delete=models.PROTECT, related_name="test_requests")
    requester_type = models.CharField("I am a", max_length=20, choices=RequesterType.choices)
    full_name = models.CharField("Full name", max_length=200, validators=[no_control_characters])
    email = models.EmailField("Email address", max_length=254, validators=[no_control_characters])
    phone = models.CharField("Phone number", max_length=30, blank=True, validators=[phone_validator])
    country = CountryField()
    message = models.TextField("Message", max_length=2000, blank=True)
    consent_version = models.CharField(max_length=20, editable=False)
    consented_at = models.DateTimeField(editable=False)
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
        help_text="Where the request stands. Each change is recorded in the timeline below.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to=in_sales_team,
        help_text="The sales-team member working this request.",
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="possible_duplicates",
        help_text="An earlier request for the same tumour with the same e-mail or phone, within 30 days.",
    )
    # Digits of the phone number, so "+44 20 7946 0000" and "020 7946 0000"-style variants compare.
    phone_digits = models.CharField(max_length=30, blank=True, editable=False, db_index=True)
    # The phone in E.164 (+442079460000), read with the requester's country as the default: search finds it
    # however it is typed.
    phone_e164 = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    next_action_on = models.DateField(
        "Next action on",
        null=True,
        blank=True,
        db_index=True,
        help_text="When to pick this request up again. It shows in “Follow-up due today” and in the daily digest.",
    )
    next_action_note = models.CharField(
        "Next action",
        max_length=NEXT_ACTION_NOTE_LENGTH,
        blank=True,
        validators=[no_control_characters],
        help_text="What to do then, e.g. “Call back after the clinic appointment”.",
    )
    close_reason = models.CharField(
        max_length=20,
        choices=CloseReason.choices,
        blank=True,
        editable=False,
        help_text="Why the request was closed as lost or spam.",
    )
    # Set once, when the request arrives: SALES_FIRST_CONTACT_SLA working hours later.
    first_contact_due_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    # The first call attempt, e-mail from the record or move forward from New, whichever came first.
    first_contacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    # Hash of the form's one-time token: a second post of the same form finds this request. NULL, not "", when
    # absent (erased, or created outside the form), so the unique index ignores it.
    submission_token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)  # noqa: DJ001
    # The status link's token is derived from this seed and the secret key; only its hash is looked up.
    status_seed = models.CharField(max_length=32, blank=True, editable=False)
    status_token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TestRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "test request"

    def __str__(self):
        # A reference only: the string form shows up in admin messages and logs.
        return self.reference

    def status_token(self) -> str:
        if not self.status_seed:
            return ""
        key = f"orders.status-link:{settings.SECRET_KEY}".encode()
        return hmac.new(key, self.status_seed.encode(), hashlib.sha256).hexdigest()

    def status_url(self) -> str:
        token = self.status_token()
        return settings.SITE_URL.rstrip("/") + reverse("orders:status", args=[token]) if token else ""

    def status_link_expires_at(self):
        return self.created_at + timedelta(days=STATUS_LINK_DAYS)

    @property
    def status_in_plain_words(self) -> str:
        return self.STATUS_IN_PLAIN_WORDS[self.status]

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            not self.is_closed
            and self.first_contacted_at is None
            and self.first_contact_due_at is not None
            and self.first_contact_due_at < timezone.now()
        )

    def waiting(self) -> timedelta | None:
        """Working time since the request arrived, while nobody has contacted the requester yet."""
        from .working_hours import waited

        if self.is_closed or self.first_contacted_at is not None:
            return None
        return waited(self.created_at, timezone.now())


class RequestStatusChange(models.Model):
    test_request = models.ForeignKey(TestRequest, on_delete=models.CASCADE, related_name="status_changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=20, choices=TestRequest.Status.choices)
    to_status = models.CharField(max_length=20, choices=TestRequest.Status.choices)
    note = models.TextField(blank=True, help_text="Why the status changed, for the rest of the team.")
    reason = models.CharField(max_length=20, choices=TestRequest.CloseReason.choices, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.test_request}: {self.from_status} → {self.to_status}"


class InternalNote(models.Model):
    test_request = models.ForeignKey(TestRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(max_length=5000, help_text="Seen only by staff who may see the request.")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Note on {self.test_request}"


class ContactAttempt(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "E-mail"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        NO_ANSWER = "no_answer", "No answer"
        LEFT_MESSAGE = "left_message", "Left a message"
        WRONG_NUMBER = "wrong_number", "Wrong number"

    test_request = models.ForeignKey(TestRequest, on_delete=models.CASCADE, related_name="contact_attempts")
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["made_at", "pk"]

    def __str__(self):
        return f"{self.get_channel_display()} attempt on {self.test_request}"


class FieldChange(models.Model):
    """A change of owner or next action: who, when, from what to what (names as they were then)."""

    class Field(models.TextChoices):
        OWNER = "owner", "Owner"
        NEXT_ACTION = "next_action", "Next action"

    test_request = models.ForeignKey(TestRequest, on_delete=models.CASCADE, related_name="field_changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)
    field = models.CharField(max_length=20, choices=Field.choices)
    from_value = models.CharField(max_length=300, blank=True)
    to_value = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_field_display()} of {self.test_request}"


class EmailTemplate(models.Model):
    """A message the sales team sends from a request's page; superusers keep the wording."""

    name = models.CharField(max_length=100, unique=True, help_text="What the sales team picks, e.g. “Consent form”.")
    subject = models.CharField(
        max_length=200,
        validators=[no_control_characters],
        help_text="May use {{ reference }} only: subjects show on lock screens, so never a name or a diagnosis.",
    )
    body = models.TextField(
        help_text=(
            "Plain text. May use {{ first_name }}, {{ full_name }}, {{ reference }}, {{ tumour }}, {{ test_kit }}, "
            "{{ owner_name }}, {{ status_url }} and {{ site_url }}."
        )
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the sales team's list.")
    active = models.BooleanField(default=True, help_text="Untick to take it off the sales team's list.")

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "e-mail template"

    def __str__(self):
        return self.name

    def clean(self):
        from .messages import check_template

        check_template(subject=self.subject, body=self.body)


class Notification(models.Model):
    """One e-mail to send about a request, stored with the request so that it survives a dead worker or mail
    server; the task only carries this row's id."""

    class Kind(models.TextChoices):
        SALES = "sales", "New request, to the sales team"
        REQUESTER = "requester", "Confirmation, to the requester"
        STATUS = "status", "Status update, to the requester"
        MESSAGE = "message", "E-mail from the sales team, to the requester"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled (requester's data erased)"

    test_request = models.ForeignKey(TestRequest, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    # The exception's class and SMTP code only: SMTP messages can quote the recipient's address.
    last_error = models.CharField(max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Status updates and messages are written when queued (what was previewed is what goes out); the
    # confirmation and the sales alert are rendered when sent.
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    template_name = models.CharField(max_length=100, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.test_request}"


class WebhookDelivery(models.Model):
    """One event for one CRM address: the exact body that is signed and posted, retried until it is accepted."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed: retries stopped"
        CANCELLED = "cancelled", "Cancelled (requester's data erased)"

    test_request = models.ForeignKey(TestRequest, on_delete=models.CASCADE, related_name="webhook_deliveries")
    # The same for every attempt and every address: receivers use it to ignore a repeat.
    event_id = models.UUIDField(db_index=True)
    event = models.CharField(max_length=50)
    url = models.URLField(max_length=500)
    payload = models.TextField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "CRM delivery"
        verbose_name_plural = "CRM deliveries"
        constraints = [models.UniqueConstraint(fields=["event_id", "url"], name="orders_webhook_event_per_url")]

    def __str__(self):
        return f"{self.event} for {self.test_request}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_records")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The exception's class, or the HTTP status: never the receiver's response body.
    error = models.CharField(max_length=200, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Attempt at {self.at:%Y-%m-%d %H:%M}"


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Opened a request"
        EXPORT = "export", "Exported requests"
        SUBJECT_ACCESS = "subject_access", "Exported a person's data (subject access)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept even if the user account is deleted.")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    test_request = models.ForeignKey(TestRequest, on_delete=models.SET_NULL, null=True, related_name="access_log")
    # For exports: the names of the filters used, never the values typed (they may be a name or an address).
    detail = models.CharField(max_length=1000, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True, help_text="For exports: how many requests it held.")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"

    def __str__(self):
        return f"{self.username} {self.action} {self.at:%Y-%m-%d %H:%M}"
