"""The tumour admin form: workflow rules, publication checks and the stale-save guard."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .history import last_change
from .models import REVIEW_INTERVAL_MONTHS, Tumour, add_months, publication_problems
from .workflow import transition_error


def edit_token(tumour: Tumour) -> str:
    # The stored updated_at when the editor opened the form; any later save changes it.
    return tumour.updated_at.isoformat() if tumour.updated_at else ""


class TumourAdminForm(forms.ModelForm):
    edit_token = forms.CharField(required=False, widget=forms.HiddenInput)
    user = None  # set by TumourAdmin.get_form
    for_preview = False  # a preview renders unsaved text and skips the save-only checks

    class Meta:
        model = Tumour
        fields = [
            "name", "slug", "also_known_as", "summary", "test_kits", "status", "published_at",
            "last_reviewed_on", "next_review_due", "reviewed_by",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "edit_token" in self.fields:
            self.fields["edit_token"].initial = edit_token(self.instance)

    def clean_also_known_as(self) -> str:
        aliases, seen = [], set()
        for alias in self.cleaned_data["also_known_as"].split(","):
            alias = " ".join(alias.split())
            if not alias or alias.casefold() in seen:
                continue
            if len(alias) > 100:
                raise ValidationError(f"“{alias[:30]}…” is too long for an alias (100 characters at most).")
            seen.add(alias.casefold())
            aliases.append(alias)
        return ", ".join(aliases)

    def clean(self):
        cleaned = super().clean()
        if self.for_preview:
            return cleaned
        self._refuse_stale_save(cleaned)
        self._move_next_review(cleaned)
        new_status = cleaned.get("status")
        if new_status:
            old_status = self.initial.get("status") if self.instance.pk else None
            error = transition_error(old=old_status, new=new_status, user=self.user)
            if error:
                self.add_error("status", error)
        if new_status == Tumour.Status.PUBLISHED:
            # Sections and sources are counted by their formsets (below), which see the submitted rows.
            problems = publication_problems(
                summary=cleaned.get("summary", ""),
                last_reviewed_on=cleaned.get("last_reviewed_on"),
                reviewed_by=cleaned.get("reviewed_by", ""),
            )
            for field, message in problems.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned

    def _move_next_review(self, cleaned: dict) -> None:
        # A new review restarts the 12 months unless the reviewer chose the next date themselves.
        reviewed = cleaned.get("last_reviewed_on")
        if reviewed and "last_reviewed_on" in self.changed_data and "next_review_due" not in self.changed_data:
            cleaned["next_review_due"] = add_months(reviewed, REVIEW_INTERVAL_MONTHS)

    def _refuse_stale_save(self, cleaned: dict) -> None:
        if not self.instance.pk:
            return
        # Lock the row for the rest of the admin's transaction, so two saves at once cannot both pass.
        stored = Tumour.objects.select_for_update().filter(pk=self.instance.pk).values_list("updated_at", flat=True)
        if cleaned.get("edit_token") != edit_token(Tumour(updated_at=stored.first())):
            who, when = last_change(self.instance)
            raise ValidationError(
                f"This page was changed by {who} on {when}, after you opened it, so your changes were not saved. "
                "They are still in this form: copy them, open the page again to see the current text, "
                "and apply them there.",
                code="stale",
            )


class PublishableInlineFormSet(BaseInlineFormSet):
    """A published page needs at least one row here; says so on the inline itself."""

    missing_message = ""

    def clean(self):
        super().clean()
        if self.instance.status != Tumour.Status.PUBLISHED or getattr(self.instance, "_skip_publish_checks", False):
            return
        kept = [
            form
            for form in self.forms
            if form.is_valid()
            and not self._should_delete_form(form)
            and (form.instance.pk is not None or form.has_changed())
        ]
        if not kept:
            raise ValidationError(self.missing_message)


class SectionFormSet(PublishableInlineFormSet):
    missing_message = "A published page needs at least one section."


class SourceFormSet(PublishableInlineFormSet):
    missing_message = "A published page needs at least one source."
