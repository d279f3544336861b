"""The tumour admin's own pages: edit (the draft), preview, review, history, compare, unpublish, preview links.

Each view reads a form and calls one function of tumours/services.py, which holds every rule; what a service
refuses comes back to the editor as a message on the form they sent.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from . import readability, services
from .content import empty_content, live_content, live_page, merged
from .diff import page_diff
from .editorial import Draft, EditorialEvent, PreviewLink, Revision
from .feedback import counts_for
from .forms import (
    ApprovalForm,
    PageForm,
    PreviewLinkForm,
    RequestChangesForm,
    SectionFormSet,
    SourceFormSet,
    UnpublishForm,
    row_initial,
)
from .link_health import LinkCheck, LinkUse
from .models import PUBLISH_PERMISSION, Tumour
from .views import DRAFT_BANNER, citations_of, draft_page, render_private

UNSAVED_BANNER = "Preview of unsaved changes — not visible to the public."


class EditForms:
    """The page form and its sections and sources, filled from a draft's content or from what was posted."""

    def __init__(self, tumour: Tumour, content: dict, data=None, *, token: str = ""):
        self.page = PageForm(data, tumour=tumour, content=content, initial={"edit_token": token})
        self.sections = SectionFormSet(data, initial=row_initial(content["sections"]), prefix="sections")
        self.sources = SourceFormSet(data, initial=row_initial(content["sources"]), prefix="sources")
        self.row_errors: list[str] = []
        keys = [row["key"] for row in content["sources"]]
        for field in [self.page.fields["summary"], *(form.fields["body"] for form in self.sections.forms)]:
            field.widget.source_keys = keys

    def read_only(self) -> "EditForms":
        """Shown, not changeable: the fields are disabled (and a post of them would be refused anyway)."""
        for form in [self.page, *self.sections.forms, *self.sources.forms]:
            for field in form.fields.values():
                field.disabled = True
        return self

    def is_valid(self) -> bool:
        return all([self.page.is_valid(), self.sections.is_valid(), self.sources.is_valid()])

    def changes(self, content: dict) -> dict:
        """What was posted, as save_draft takes it (for a preview, what validated, on top of `content`)."""
        return {
            "fields": self.page.page_fields(fallback=content["fields"]),
            "sections": self.sections.rows(),
            "sources": self.sources.rows(),
        }

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.page.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            if field in ("sections", "sources"):
                self.row_errors += [message for e in errors for message in e.messages]
            else:
                self.page.add_error(field if field in self.page.fields else None, errors)

    @property
    def media(self):
        return self.page.media + self.sections.media


class TumourPagesMixin:
    """Views of TumourAdmin (tumours/admin.py) beyond Django's list."""

    # Editing: every change is saved to the page's draft.

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._edit(request, Tumour(), draft=None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        tumour = self._get_tumour(request, object_id)
        return self._edit(request, tumour, draft=services.draft_of(tumour))

    def _edit(self, request, tumour: Tumour, *, draft: Draft | None):
        content = draft.revision.content if draft else live_content(tumour)
        may_edit = self._may_edit(request, tumour) and (draft is None or draft.is_editable)
        token = services.edit_token(tumour, draft)
        if request.method == "POST":
            if not may_edit:
                raise PermissionDenied
            forms = EditForms(tumour, content, request.POST, token=token)
            if forms.is_valid():
                response = self._save(request, tumour, forms, content)
                if response is not None:
                    return response
        else:
            forms = EditForms(tumour, content, token=token)
            if not may_edit:
                forms.read_only()
        return self._render_edit(request, tumour, draft, forms, may_edit=may_edit)

    def _save(self, request, tumour: Tumour, forms: EditForms, content: dict):
        try:
            draft = services.save_draft(
                tumour=tumour, by=request.user, based_on=forms.page.cleaned_data["edit_token"], **forms.changes(content)
            )
        except ValidationError as error:
            forms.add_service_error(error)
            return None
        if draft is None:
            messages.info(request, "Nothing was changed: the page is the same as the live page.")
        elif "_submit" in request.POST:
            self._submit(request, tumour)
        else:
            messages.success(request, "Saved as a draft. The live page is unchanged until a reviewer approves it.")
        return HttpResponseRedirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))

    def _submit(self, request, tumour: Tumour) -> None:
        try:
            services.submit_for_review(tumour=tumour, by=request.user)
        except ValidationError as error:
            messages.error(request, "Saved as a draft, but not submitted: " + " ".join(_messages(error)))
        else:
            messages.success(request, "Submitted for review. Clinical reviewers have been told.")

    def _render_edit(self, request, tumour: Tumour, draft: Draft | None, forms: EditForms, *, may_edit: bool):
        adding = tumour.pk is None
        saved = draft.revision.content if draft else live_content(tumour)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add a tumour page" if adding else f"Change “{tumour.name}”",
            "original": None if adding else tumour,
            "draft": draft,
            "forms": forms,
            "may_edit": may_edit,
            "may_review": request.user.has_perm(PUBLISH_PERMISSION),
            "state": self._state(tumour, draft),
            "events": [] if adding else EditorialEvent.objects.of(tumour).select_related("by")[:20],
            "old_slugs": [] if adding else list(tumour.old_slugs.values_list("slug", flat=True)),
            "preview_links": [] if adding else _active_links(tumour),
            "preview_link_form": PreviewLinkForm(),
            "media": self.media + forms.media,
            "has_view_on_site": tumour.is_public and self.has_view_or_change_permission(request, tumour),
            **({} if adding else _evidence(tumour)),
            # Of what is saved (the draft, else the live page): what approval will say of it.
            "evidence_problems": [] if adding else services.evidence_problems(saved),
            "require_citations": settings.EDITORIAL_REQUIRE_CITATIONS,
        }
        return TemplateResponse(request, "admin/tumours/tumour/edit.html", context)

    def _state(self, tumour: Tumour, draft: Draft | None) -> str:
        if tumour.pk is None:
            return "New page"
        return services.state_label(
            is_live=tumour.is_public,
            draft_state=draft.state if draft else None,
            go_live_at=draft.go_live_at if draft else None,
        )

    # Workflow actions (POST only), each one service call.

    def submit_view(self, request, object_id):
        return self._act(request, object_id, services.submit_for_review, "Submitted for review.")

    def withdraw_view(self, request, object_id):
        return self._act(request, object_id, services.withdraw, "Withdrawn: the draft can be changed again.")

    def _act(self, request, object_id, action, done: str):
        tumour = self._get_tumour(request, object_id)
        if request.method != "POST":
            raise Http404
        try:
            action(tumour=tumour, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
        else:
            messages.success(request, done)
        return HttpResponseRedirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))

    # Review: the diff and the rendered draft side by side, and the reviewer's decision.

    def review_view(self, request, object_id):
        tumour = self._get_tumour(request, object_id)
        draft = services.draft_of(tumour)
        if draft is None:
            messages.info(request, "This page has no draft: there is nothing to review.")
            return HttpResponseRedirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))
        approval, changes = ApprovalForm(), RequestChangesForm()
        if request.method == "POST":
            if "_approve" in request.POST:
                approval = ApprovalForm(request.POST)
                done = approval.is_valid() and self._approve(request, tumour, approval)
            else:
                changes = RequestChangesForm(request.POST)
                done = changes.is_valid() and self._request_changes(request, tumour, changes)
            if done:
                return HttpResponseRedirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))
        live = live_content(tumour) if tumour.first_published_at else empty_content()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review changes to “{tumour.name}”",
            "original": tumour,
            "draft": draft,
            "state": self._state(tumour, draft),
            "changes": page_diff(live, draft.revision.content),
            "readability": readability.compare(live, draft.revision.content),
            "target_grade": settings.READABILITY_TARGET_GRADE,
            "compared_with": "the live page" if tumour.first_published_at else "an empty page (it has never been live)",
            "page": (page := draft_page(tumour, draft)),
            "citations": citations_of(page),
            "evidence_problems": services.evidence_problems(draft.revision.content),
            "require_citations": settings.EDITORIAL_REQUIRE_CITATIONS,
            "approval_form": approval,
            "changes_form": changes,
            "may_decide": request.user.has_perm(PUBLISH_PERMISSION) and draft.state == Draft.State.IN_REVIEW,
            "last_editor_is_me": draft.updated_by_id == request.user.pk,
            "four_eyes": settings.EDITORIAL_FOUR_EYES,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/tumours/tumour/review.html", context)

    def _approve(self, request, tumour: Tumour, form: ApprovalForm) -> bool:
        try:
            draft = services.approve(
                tumour=tumour,
                by=request.user,
                go_live_at=form.cleaned_data["go_live_at"],
                clinical_review=form.cleaned_data["clinical_review"],
                next_review_due=form.cleaned_data["next_review_due"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return False
        except ValidationError as error:
            _add_errors(form, error)
            return False
        if draft is None:
            messages.success(request, "Approved: the page is live now.")
        else:
            when = services.state_label(is_live=tumour.is_public, draft_state=draft.state, go_live_at=draft.go_live_at)
            messages.success(request, f"Approved. {when}; the current page stays online until then.")
        return True

    def _request_changes(self, request, tumour: Tumour, form: RequestChangesForm) -> bool:
        try:
            services.request_changes(tumour=tumour, by=request.user, comment=form.cleaned_data["comment"])
        except (PermissionDenied, ValidationError) as error:
            _add_errors(form, error)
            return False
        messages.success(request, "Sent back to the editor with your comment.")
        return True

    # Previews: the saved draft, or the form as it stands, through the public page's template.

    def preview_view(self, request, object_id=None):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if object_id is None and request.method != "POST":
            return HttpResponseRedirect(reverse("admin:tumours_tumour_add"))
        tumour = self._get_tumour(request, object_id) if object_id else Tumour()
        draft = services.draft_of(tumour)
        content = draft.revision.content if draft else live_content(tumour)
        if request.method == "POST":
            forms = EditForms(tumour, content, request.POST)
            forms.is_valid()  # a preview shows whatever is valid, and the rest as it was
            unsaved = merged(content, **forms.changes(content))
            return render_private(request, draft_page(tumour, draft, unsaved), banner=UNSAVED_BANNER)
        if draft is None and tumour.pk:
            banner = "Preview — this is the page as the public sees it now." if tumour.is_public else DRAFT_BANNER
            return render_private(
                request, live_page(Tumour.objects.with_page_content().get(pk=tumour.pk)), banner=banner
            )
        return render_private(request, draft_page(tumour, draft, content), banner=DRAFT_BANNER)

    # History: every saved version, which one is or was live, and every step of the workflow.

    def history_view(self, request, object_id, extra_context=None):
        tumour = self._get_tumour(request, object_id)
        draft = services.draft_of(tumour)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of “{tumour.name}”",
            "original": tumour,
            "draft": draft,
            "revisions": _with_previous(Revision.objects.of(tumour).select_related("created_by", "approved_by")[:201]),
            "events": EditorialEvent.objects.of(tumour).select_related("by")[:200],
            "may_edit": self._may_edit(request, tumour),
        }
        return TemplateResponse(request, "admin/tumours/tumour/history.html", context)

    def compare_view(self, request, object_id, version_id):
        tumour = self._get_tumour(request, object_id)
        revision = get_object_or_404(Revision.objects.of(tumour).select_related("created_by"), pk=version_id)
        if request.method == "POST":
            return self._restore(request, tumour, revision)
        against, label = self._comparison(request, tumour)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare a version of “{tumour.name}”",
            "original": tumour,
            "revision": revision,
            "against_label": label,
            "changes": page_diff(revision.content, against),
            "may_restore": self._may_edit(request, tumour),
        }
        return TemplateResponse(request, "admin/tumours/tumour/compare.html", context)

    def _comparison(self, request, tumour: Tumour) -> tuple[dict, str]:
        wanted = request.GET.get("with", "")
        draft = services.draft_of(tumour)
        if wanted.isdigit():
            other = Revision.objects.of(tumour).filter(pk=int(wanted)).first()
            if other is not None:
                return other.content, f"the version saved on {timezone.localtime(other.created_at):%d %B %Y, %H:%M:%S}"
        if wanted == "draft" and draft is not None:
            return draft.revision.content, "the current draft"
        return live_content(tumour), "the live page" if tumour.is_public else "the page's last approved content"

    def _restore(self, request, tumour: Tumour, revision: Revision):
        if not self._may_edit(request, tumour):
            raise PermissionDenied
        try:
            services.restore_version(tumour=tumour, version_id=revision.pk, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
            return HttpResponseRedirect(request.path)
        messages.success(
            request, "That version is now the draft. Submit it for review: the live page is unchanged until approval."
        )
        return HttpResponseRedirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))

    # Reviewer-only actions: unpublish, and links to share a draft.

    def unpublish_view(self, request, object_id):
        tumour = self._get_tumour(request, object_id)
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        form = UnpublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.unpublish(tumour=tumour, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "The page is off the site. Its history and any draft are kept.")
                return HttpResponseRedirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Unpublish “{tumour.name}”",
            "original": tumour,
            "form": form,
        }
        return TemplateResponse(request, "admin/tumours/tumour/unpublish.html", context)

    def preview_links_view(self, request, object_id):
        tumour = self._get_tumour(request, object_id)
        if request.method != "POST" or not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        try:
            if "_revoke" in request.POST:
                count = services.revoke_preview_links(tumour=tumour, by=request.user)
                messages.success(request, f"{count} preview link(s) revoked.")
            else:
                form = PreviewLinkForm(request.POST)
                days = form.cleaned_data["days"] if form.is_valid() else services.PREVIEW_LINK_DAYS
                path = services.create_preview_link(tumour=tumour, by=request.user, days=days)
                messages.success(request, f"Preview link (valid {days} days): {request.build_absolute_uri(path)}")
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
        return HttpResponseRedirect(reverse("admin:tumours_tumour_change", args=[tumour.pk]))

    # Shared by the views above.

    def _get_tumour(self, request, object_id) -> Tumour:
        tumour = self.get_object(request, unquote(str(object_id)))
        if tumour is None:
            raise Http404("No such tumour page.")
        if not self.has_view_or_change_permission(request, tumour):
            raise PermissionDenied
        return tumour

    def _may_edit(self, request, tumour: Tumour) -> bool:
        if tumour.pk is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, tumour)


def _with_previous(revisions) -> list[tuple[Revision, Revision | None]]:
    """Newest first, each with the version saved before it (the last one shown is only there as that)."""
    revisions = list(revisions)
    return [(revision, revisions[n + 1] if n + 1 < len(revisions) else None) for n, revision in enumerate(revisions)][
        :200
    ]


def _evidence(tumour: Tumour) -> dict:
    """What the edit screen warns about: the live page's broken or moved links, and visitors' open feedback."""
    return {
        "link_problems": list(
            LinkUse.objects.filter(tumour=tumour, link__state__in=LinkCheck.PROBLEMS).select_related("link")
        ),
        "feedback_counts": counts_for(tumour),
        "open_feedback": list(tumour.feedback.open()[:10]),
    }


def _active_links(tumour: Tumour) -> list[PreviewLink]:
    return [link for link in PreviewLink.objects.of(tumour).select_related("created_by")[:20] if link.is_active]


def _messages(error: ValidationError) -> list[str]:
    return error.messages


def _add_errors(form, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
