"""Forms of the sales admin: the request's pipeline form (which saves only what its user changed), the
actions bar, a contact attempt and an e-mail from a template."""

from django import forms
from django.contrib.admin import helpers
from django.core import signing
from django.core.exceptions import ValidationError

from .models import ContactAttempt, EmailTemplate, TestRequest
from .services import (
    TRACKED_FIELDS,
    allowed_statuses,
    check_status_change,
    stale_conflicts,
    tracked_values,
)
from .team import display_name, sales_team

SEEN_SALT = "orders.admin.seen"
STATUS_LABELS = dict(TestRequest.Status.choices)


class SalesMemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class TestRequestAdminForm(forms.ModelForm):
    reason = forms.ChoiceField(
        label="Reason for closing",
        required=False,
        choices=[("", "—")] + TestRequest.CloseReason.choices,
        help_text="Needed when the status becomes Lost or Spam; counted in the sales overview.",
    )
    status_note = forms.CharField(
        label="Note on the status change",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the status changes (needed to reopen a lost or spam request). Kept in the timeline.",
    )
    new_note = forms.CharField(
        label="Add an internal note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen only by the sales team and superusers, at the top of the timeline.",
    )
    # The tracked fields as this form showed them, signed: a save changes only what its user changed, and
    # refuses a field someone else changed meanwhile (services.apply_edit).
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = TestRequest
        fields = ["status", "owner", "next_action_on", "next_action_note"]
        widgets = {"next_action_on": forms.DateInput(attrs={"type": "date"})}
        field_classes = {"owner": SalesMemberField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = sales_team()
        if self.instance.pk:
            # Offer only the moves the status machine allows; any status is accepted back, and the service judges.
            offered = [self.instance.status, *allowed_statuses(self.instance)]
            self.fields["status"].widget.choices = [(value, STATUS_LABELS[value]) for value in offered]
            self.initial["seen"] = signing.dumps(tracked_values(self.instance), salt=SEEN_SALT)
        self.changes: dict = {}
        self.seen: dict = {}

    def _seen_values(self) -> dict:
        try:
            return signing.loads(self.cleaned_data.get("seen") or "", salt=SEEN_SALT)
        except signing.BadSignature:
            # No record of what the form showed (an old form): compare with the stored values, as before.
            return tracked_values(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.instance.pk:
            return cleaned
        # Read before _post_clean() copies the posted values onto the instance.
        self.seen = seen = self._seen_values()
        owner, next_on = cleaned.get("owner"), cleaned.get("next_action_on")
        posted = {
            "status": cleaned.get("status"),
            "owner": owner.pk if owner else None,
            "next_action_on": next_on.isoformat() if next_on else "",
            "next_action_note": cleaned.get("next_action_note", ""),
        }
        self.changes = {name: cleaned.get(name) for name in TRACKED_FIELDS if posted[name] != seen.get(name)}
        conflicts = stale_conflicts(test_request=self.instance, seen=seen, changing=self.changes)
        if conflicts:
            raise ValidationError(
                [*conflicts, "Your other changes are still in this form: open the request again to see theirs."],
                code="stale",
            )
        if "status" in self.changes:
            current = TestRequest.objects.get(pk=self.instance.pk)
            try:
                check_status_change(
                    current=current,
                    to_status=cleaned["status"],
                    note=cleaned.get("status_note", ""),
                    reason=cleaned.get("reason", ""),
                )
            except ValidationError as error:
                field = {"reason_required": "reason", "reopen_note_required": "status_note"}.get(error.code)
                self.add_error(field or "status", error)
        return cleaned


class SalesActionForm(helpers.ActionForm):
    """The actions bar: what to do to the ticked requests, and the owner or status some actions need."""

    assign_to = SalesMemberField(queryset=sales_team(), required=False, label="Owner", empty_label="(owner)")
    to_status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "(status)"), *TestRequest.Status.choices]
    )
    reason = forms.ChoiceField(
        label="Reason", required=False, choices=[("", "(reason, for lost)"), *TestRequest.CloseReason.choices]
    )


class ContactAttemptForm(forms.ModelForm):
    class Meta:
        model = ContactAttempt
        fields = ["channel", "outcome", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        labels = {"channel": "How", "outcome": "What happened", "note": "Note (optional)"}


class MessageForm(forms.Form):
    template = forms.ModelChoiceField(queryset=EmailTemplate.objects.filter(active=True), empty_label=None)
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16, "cols": 80}))
