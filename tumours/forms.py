"""The forms of the editorial admin (tumour pages and test kit pages). They read what an editor typed; the rules
live in tumours/services.py."""

import copy
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
from markdownx.widgets import AdminMarkdownxWidget

from .models import REVIEW_INTERVAL_MONTHS, Section, Source, TestKit, Tumour
from .page_kinds import SECTION_FIELDS, SOURCE_FIELDS
from .services import PREVIEW_LINK_DAYS, PREVIEW_LINK_MAX_DAYS

MARKDOWN_HELP = "Markdown. The preview beside it shows exactly what visitors will see."


class CitingMarkdownxWidget(AdminMarkdownxWidget):
    """A page text's editor: its live preview numbers [@key] by the page's sources (their keys in list order go
    in the preview's address; static/tumours/js/page-editor.js keeps them current as sources change)."""

    source_keys: list[str] | None = None

    def get_context(self, name, value, attrs=None):
        context = super().get_context(name, value, attrs)
        if self.source_keys is not None:
            keys = ",".join(quote(key, safe="") for key in self.source_keys)
            context["widget"]["attrs"]["data-markdownx-urls-path"] = f"{settings.MARKDOWNX_URLS_PATH}?keys={keys}"
        return context


class PageForm(forms.ModelForm):
    """A tumour page's own fields. Bound to a copy of the page, never saved: services.save_draft takes its data."""

    edit_token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Tumour
        fields = ["name", "slug", "also_known_as", "summary", "test_kits"]
        widgets = {"summary": CitingMarkdownxWidget, "test_kits": forms.CheckboxSelectMultiple}

    def __init__(self, *args, page: Tumour, content: dict, **kwargs):
        initial = {**content["fields"], **kwargs.pop("initial", {})}
        # A copy: a ModelForm writes cleaned values onto its instance, and the page's row must stay as it is.
        super().__init__(*args, instance=copy.copy(page), initial=initial, **kwargs)
        self.fields["test_kits"].queryset = TestKit.objects.order_by("name")
        self.fields[
            "test_kits"
        ].help_text = "The kits a visitor can request from this page. Leave all unticked to show no request button."

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

    def page_fields(self, *, fallback: dict) -> dict:
        """The cleaned fields; a field that did not validate (only in a preview) keeps its `fallback` value."""
        fields = {name: self.cleaned_data.get(name, fallback[name]) for name in Tumour.CONTENT_FIELDS}
        kits = self.cleaned_data.get("test_kits")
        return {**fields, "test_kits": [kit.pk for kit in kits] if kits is not None else fallback["test_kits"]}


class KitPageForm(forms.ModelForm):
    """A test kit page's own fields; as PageForm, never saved."""

    edit_token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = TestKit
        fields = ["name", "slug", "description"]
        widgets = {"description": AdminMarkdownxWidget}

    def __init__(self, *args, page: TestKit, content: dict, **kwargs):
        initial = {**content["fields"], **kwargs.pop("initial", {})}
        super().__init__(*args, instance=copy.copy(page), initial=initial, **kwargs)

    def page_fields(self, *, fallback: dict) -> dict:
        return {name: self.cleaned_data.get(name, fallback[name]) for name in TestKit.CONTENT_FIELDS}


class RowForm(forms.ModelForm):
    """A section or source of the draft: which live row it came from, and its place on the page."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    position = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def has_changed(self) -> bool:
        # The script numbers every row's position: a new row counts as written only when its fields are.
        return any(name in self.changed_data for name in self.row_fields)

    def row(self) -> dict:
        return {"id": self.cleaned_data.get("id"), **{name: self.cleaned_data.get(name) for name in self.row_fields}}


class SectionForm(RowForm):
    row_fields = SECTION_FIELDS

    class Meta:
        model = Section
        fields = list(SECTION_FIELDS)
        widgets = {"body": CitingMarkdownxWidget}
        help_texts = {"heading": "Shown as the section's heading, e.g. Treatment.", "body": MARKDOWN_HELP}


def https_urls(field, **kwargs):
    # Editors paste addresses without a scheme; assume the secure one (Django 6's default too).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class SourceForm(RowForm):
    row_fields = SOURCE_FIELDS

    class Meta:
        model = Source
        fields = list(SOURCE_FIELDS)
        formfield_callback = https_urls
        widgets = {"accessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].required = False  # left empty, it is made from the title on save (tumours/content.py)


class RowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The rows kept, in the order the editor put them (a blank new row is no row; in a preview, a value
        that did not validate is left out)."""
        kept = [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and not form.cleaned_data.get(DELETION_FIELD_NAME)
            and (form.initial or form.has_changed())
        ]
        ordered = sorted(kept, key=lambda form: (form.cleaned_data.get("position") or 0, self.forms.index(form)))
        return [form.row() for form in ordered]


SectionFormSet = forms.formset_factory(SectionForm, formset=RowFormSet, extra=0, can_delete=True)
SourceFormSet = forms.formset_factory(SourceForm, formset=RowFormSet, extra=0, can_delete=True)


def row_formset(key: str) -> type[RowFormSet]:
    """The formset for one kind of row, by the rows' key in the content. A kit page's sections are edited with the
    same form as a tumour page's: the form only reads what was typed, and both have a heading and a body."""
    return {"sections": SectionFormSet, "sources": SourceFormSet}[key]


def row_initial(rows: list[dict]) -> list[dict]:
    return [{**row, "position": n} for n, row in enumerate(rows, start=1)]


class ApprovalForm(forms.Form):
    when = forms.ChoiceField(
        label="Go live",
        choices=[("now", "Now"), ("later", "At a time I choose")],
        initial="now",
        widget=forms.RadioSelect,
    )
    go_live_at = forms.DateTimeField(
        label="Go-live time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text="UK time. The live page stays as it is until then.",
    )
    clinical_review = forms.BooleanField(
        label="This approval is a clinical review of the whole page",
        required=False,
        initial=True,
        help_text=f"Sets “Page last reviewed” to today and the next review to {REVIEW_INTERVAL_MONTHS} months "
        "from now, with your name. Untick for a change that is not a clinical review, e.g. a typo fix: "
        "the review record then stays as it is.",
    )
    next_review_due = forms.DateField(
        label="Next review due (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=f"Leave empty for {REVIEW_INTERVAL_MONTHS} months from today.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == "later" and not cleaned.get("go_live_at"):
            self.add_error("go_live_at", "Choose when the change goes live.")
        if cleaned.get("when") == "now":
            cleaned["go_live_at"] = None
        return cleaned


class RequestChangesForm(forms.Form):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The editor sees this on the page and by e-mail.",
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label="Why is the page coming off the site?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the page's history. Visitors get “page not found” until a draft is approved again.",
    )


class PreviewLinkForm(forms.Form):
    days = forms.IntegerField(
        label="Link valid for (days)", min_value=1, max_value=PREVIEW_LINK_MAX_DAYS, initial=PREVIEW_LINK_DAYS
    )
