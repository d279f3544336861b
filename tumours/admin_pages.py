"""The editorial admin pages of every kind of page (tumour pages and test kit pages): edit (the draft), preview,
review, history, compare, unpublish, preview links.

Each view reads a form and calls one function of tumours/services.py, which holds every rule; what a service
refuses comes back to the editor as a message on the form they sent. The page is passed to the service as the
admin's `page_keyword` (tumour= or kit=); what differs between the kinds is in tumours/page_kinds.py.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from . import readability, services
from .content import empty_content, live_content, live_page_of, merged
from .diff import page_diff
from .editorial import Draft, EditorialEvent, PreviewLink, Revision
from .forms import (
    ApprovalForm,
    PreviewLinkForm,
    RequestChangesForm,
    RowFormSet,
    UnpublishForm,
    row_formset,
    row_initial,
)
from .models import ReviewedPage
from .page_kinds import PageKind
from .views import DRAFT_BANNER, draft_page, page_template_context, render_private

UNSAVED_BANNER = "Preview of unsaved changes — not visible to the public."


class EditForms:
    """The page form and its rows (sections, sources), filled from a draft's content or from what was posted."""

    def __init__(self, admin: "EditorialPagesMixin", page: ReviewedPage, content: dict, data=None, *, token=""):
        self.page = admin.page_form(data, page=page, content=content, initial={"edit_token": token})
        self.row_sets: list[RowSet] = [
            RowSet(
                formset=row_formset(rows.key)(data, initial=row_initial(content[rows.key]), prefix=rows.key),
                noun=rows.label.lower(),
                title=f"{rows.label}s",
                help=admin.row_help[rows.key],
            )
            for rows in admin.page_kind.rows
        ]
        self.row_errors: list[str] = []
        if "sources" in content:
            # A page with sources: its texts' live previews number [@key] citations (forms.CitingMarkdownxWidget).
            keys = [row["key"] for row in content["sources"]]
            sections = next(row_set.formset for row_set in self.row_sets if row_set.formset.prefix == "sections")
            for field in [self.page.fields[admin.page_kind.lead], *(form.fields["body"] for form in sections.forms)]:
                field.widget.source_keys = keys

    def read_only(self) -> "EditForms":
        """Shown, not changeable: the fields are disabled (and a post of them would be refused anyway)."""
        for form in [self.page, *(form for row_set in self.row_sets for form in row_set.formset.forms)]:
            for field in form.fields.values():
                field.disabled = True
        return self

    def is_valid(self) -> bool:
        return all([self.page.is_valid(), *(row_set.formset.is_valid() for row_set in self.row_sets)])

    def changes(self, content: dict) -> dict:
        """What was posted, as save_draft takes it (for a preview, what validated, on top of `content`)."""
        rows = {row_set.formset.prefix: row_set.formset.rows() for row_set in self.row_sets}
        return {"fields": self.page.page_fields(fallback=content["fields"]), **rows}

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.page.add_error(None, error)
            return
        row_keys = {row_set.formset.prefix for row_set in self.row_sets}
        for field, errors in error.error_dict.items():
            if field in row_keys:
                self.row_errors += [message for e in errors for message in e.messages]
            else:
                self.page.add_error(field if field in self.page.fields else None, errors)

    @property
    def media(self):
        return self.page.media + self.row_sets[0].formset.media


class RowSet:
    """One kind of row on the edit page, as its template shows it."""

    def __init__(self, *, formset: RowFormSet, noun: str, title: str, help: str):
        self.formset, self.noun, self.title, self.help = formset, noun, title, help


class EditorialPagesMixin:
    """The views of an editorial page admin (tumours/admin.py) beyond Django's list.

    A ModelAdmin using it sets `page_kind` (tumours/page_kinds.py), `page_keyword` (how services name the page:
    "tumour" or "kit"), `page_form` (the form of the page's own fields) and `row_help` (each row kind's help).
    """

    page_kind: PageKind
    page_keyword: str
    row_help: dict[str, str]

    # Editing: every change is saved to the page's draft.

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return self._edit(request, self.model(), draft=None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        page = self._get_page(request, object_id)
        return self._edit(request, page, draft=services.draft_of(page))

    def _edit(self, request, page: ReviewedPage, *, draft: Draft | None):
        content = draft.revision.content if draft else live_content(page)
        may_edit = self._may_edit(request, page) and (draft is None or draft.is_editable)
        token = services.edit_token(page, draft)
        if request.method == "POST":
            if not may_edit:
                raise PermissionDenied
            forms = EditForms(self, page, content, request.POST, token=token)
            if forms.is_valid():
                response = self._save(request, page, forms, content)
                if response is not None:
                    return response
        else:
            forms = EditForms(self, page, content, token=token)
            if not may_edit:
                forms.read_only()
        return self._render_edit(request, page, draft, forms, may_edit=may_edit)

    def _save(self, request, page: ReviewedPage, forms: EditForms, content: dict):
        try:
            draft = services.save_draft(
                **self._named(page),
                by=request.user,
                based_on=forms.page.cleaned_data["edit_token"],
                **forms.changes(content),
            )
        except ValidationError as error:
            forms.add_service_error(error)
            return None
        if draft is None:
            messages.info(request, "Nothing was changed: the page is the same as the live page.")
        elif "_submit" in request.POST:
            self._submit(request, page)
        else:
            messages.success(request, "Saved as a draft. The live page is unchanged until a reviewer approves it.")
        return HttpResponseRedirect(self._url("change", page))

    def _submit(self, request, page: ReviewedPage) -> None:
        try:
            services.submit_for_review(**self._named(page), by=request.user)
        except ValidationError as error:
            messages.error(request, "Saved as a draft, but not submitted: " + " ".join(_messages(error)))
        else:
            messages.success(request, "Submitted for review. Clinical reviewers have been told.")

    def _render_edit(self, request, page: ReviewedPage, draft: Draft | None, forms: EditForms, *, may_edit: bool):
        adding = page.pk is None
        saved = draft.revision.content if draft else live_content(page)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Add a {self.opts.verbose_name} page" if adding else f"Change “{page.name}”",
            "original": None if adding else page,
            "draft": draft,
            "forms": forms,
            "may_edit": may_edit,
            "may_review": request.user.has_perm(self.page_kind.publish_permission),
            "may_withdraw": request.user.has_perm(self.page_kind.change_permission),
            "state": self._state(page, draft),
            "events": [] if adding else EditorialEvent.objects.of(page).select_related("by")[:20],
            "preview_links": [] if adding else _active_links(page),
            "preview_link_form": PreviewLinkForm(),
            "media": self.media + forms.media,
            "has_view_on_site": page.is_public and self.has_view_or_change_permission(request, page),
            **self.edit_page_context(page),
            # Of what is saved (the draft, else the live page): what approval will say of it.
            "evidence_problems": [] if adding else services.evidence_problems(saved),
            "require_citations": settings.EDITORIAL_REQUIRE_CITATIONS,
        }
        return TemplateResponse(request, "admin/tumours/page/edit.html", context)

    def edit_page_context(self, page: ReviewedPage) -> dict:
        """What else this kind's edit page shows (e.g. a tumour page's old addresses)."""
        return {}

    def _state(self, page: ReviewedPage, draft: Draft | None) -> str:
        if page.pk is None:
            return "New page"
        return services.state_label(
            is_live=page.is_public,
            draft_state=draft.state if draft else None,
            go_live_at=draft.go_live_at if draft else None,
        )

    # Workflow actions (POST only), each one service call.

    def submit_view(self, request, object_id):
        return self._act(request, object_id, services.submit_for_review, "Submitted for review.")

    def withdraw_view(self, request, object_id):
        return self._act(request, object_id, services.withdraw, "Withdrawn: the draft can be changed again.")

    def _act(self, request, object_id, action, done: str):
        page = self._get_page(request, object_id)
        if request.method != "POST":
            raise Http404
        try:
            action(**self._named(page), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
        else:
            messages.success(request, done)
        return HttpResponseRedirect(self._url("change", page))

    # Review: the diff and the rendered draft side by side, and the reviewer's decision.

    def review_view(self, request, object_id):
        page = self._get_page(request, object_id)
        draft = services.draft_of(page)
        if draft is None:
            messages.info(request, "This page has no draft: there is nothing to review.")
            return HttpResponseRedirect(self._url("change", page))
        approval, changes = ApprovalForm(), RequestChangesForm()
        if request.method == "POST":
            if "_approve" in request.POST:
                approval = ApprovalForm(request.POST)
                done = approval.is_valid() and self._approve(request, page, approval)
            else:
                changes = RequestChangesForm(request.POST)
                done = changes.is_valid() and self._request_changes(request, page, changes)
            if done:
                return HttpResponseRedirect(self._url("change", page))
        compared_with, live = self._review_base(page)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review changes to “{page.name}”",
            "original": page,
            "draft": draft,
            "state": self._state(page, draft),
            "changes": page_diff(live, draft.revision.content, self.page_kind),
            "readability": readability.compare(live, draft.revision.content, lead=self.page_kind.lead),
            "target_grade": settings.READABILITY_TARGET_GRADE,
            "compared_with": compared_with,
            "article": self._article(request, page, draft),
            "evidence_problems": services.evidence_problems(draft.revision.content),
            "require_citations": settings.EDITORIAL_REQUIRE_CITATIONS,
            "approval_form": approval,
            "changes_form": changes,
            "may_decide": request.user.has_perm(self.page_kind.publish_permission)
            and draft.state == Draft.State.IN_REVIEW,
            "last_editor_is_me": draft.updated_by_id == request.user.pk,
            "four_eyes": settings.EDITORIAL_FOUR_EYES,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/tumours/page/review.html", context)

    def _review_base(self, page: ReviewedPage) -> tuple[str, dict]:
        """What the reviewer compares the draft with: what the public sees of the page, or nothing."""
        if page.first_published_at:
            return "the live page", live_content(page)
        if page.shows_content_unpublished:
            return "what the public sees now (its page has never been live)", live_content(page)
        return "an empty page (it has never been live)", empty_content(self.page_kind)

    def _article(self, request, page: ReviewedPage, draft: Draft) -> str:
        # The page as it will go out, drawn by the public page's own article template.
        context = page_template_context(draft_page(page, draft))
        return render_to_string(self.page_kind.article_template, context, request=request)

    def _approve(self, request, page: ReviewedPage, form: ApprovalForm) -> bool:
        try:
            draft = services.approve(
                **self._named(page),
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
            when = services.state_label(is_live=page.is_public, draft_state=draft.state, go_live_at=draft.go_live_at)
            messages.success(request, f"Approved. {when}; the current page stays online until then.")
        return True

    def _request_changes(self, request, page: ReviewedPage, form: RequestChangesForm) -> bool:
        try:
            services.request_changes(**self._named(page), by=request.user, comment=form.cleaned_data["comment"])
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
            return HttpResponseRedirect(reverse(self.page_kind.admin_url_name("add")))
        page = self._get_page(request, object_id) if object_id else self.model()
        draft = services.draft_of(page)
        content = draft.revision.content if draft else live_content(page)
        if request.method == "POST":
            forms = EditForms(self, page, content, request.POST)
            forms.is_valid()  # a preview shows whatever is valid, and the rest as it was
            unsaved = merged(content, kind=self.page_kind, **forms.changes(content))
            return render_private(request, draft_page(page, draft, unsaved), banner=UNSAVED_BANNER)
        if draft is None and page.pk:
            banner = "Preview — this is the page as the public sees it now." if page.is_public else DRAFT_BANNER
            return render_private(request, live_page_of(page), banner=banner)
        return render_private(request, draft_page(page, draft, content), banner=DRAFT_BANNER)

    # History: every saved version, which one is or was live, and every step of the workflow.

    def history_view(self, request, object_id, extra_context=None):
        page = self._get_page(request, object_id)
        draft = services.draft_of(page)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"History of “{page.name}”",
            "original": page,
            "draft": draft,
            "revisions": _with_previous(Revision.objects.of(page).select_related("created_by", "approved_by")[:201]),
            "events": EditorialEvent.objects.of(page).select_related("by")[:200],
            "may_edit": self._may_edit(request, page),
        }
        return TemplateResponse(request, "admin/tumours/page/history.html", context)

    def compare_view(self, request, object_id, version_id):
        page = self._get_page(request, object_id)
        revision = get_object_or_404(Revision.objects.of(page).select_related("created_by"), pk=version_id)
        if request.method == "POST":
            return self._restore(request, page, revision)
        against, label = self._comparison(request, page)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Compare a version of “{page.name}”",
            "original": page,
            "revision": revision,
            "against_label": label,
            "changes": page_diff(revision.content, against, self.page_kind),
            "may_restore": self._may_edit(request, page),
        }
        return TemplateResponse(request, "admin/tumours/page/compare.html", context)

    def _comparison(self, request, page: ReviewedPage) -> tuple[dict, str]:
        wanted = request.GET.get("with", "")
        draft = services.draft_of(page)
        if wanted.isdigit():
            other = Revision.objects.of(page).filter(pk=int(wanted)).first()
            if other is not None:
                return other.content, f"the version saved on {timezone.localtime(other.created_at):%d %B %Y, %H:%M:%S}"
        if wanted == "draft" and draft is not None:
            return draft.revision.content, "the current draft"
        return live_content(page), "the live page" if page.is_public else "the page's last approved content"

    def _restore(self, request, page: ReviewedPage, revision: Revision):
        if not self._may_edit(request, page):
            raise PermissionDenied
        try:
            services.restore_version(**self._named(page), version_id=revision.pk, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
            return HttpResponseRedirect(request.path)
        messages.success(
            request, "That version is now the draft. Submit it for review: the live page is unchanged until approval."
        )
        return HttpResponseRedirect(self._url("change", page))

    # Reviewer-only actions: unpublish, and links to share a draft.

    def unpublish_view(self, request, object_id):
        page = self._get_page(request, object_id)
        if not request.user.has_perm(self.page_kind.publish_permission):
            raise PermissionDenied
        form = UnpublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.unpublish(**self._named(page), by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "The page is off the site. Its history and any draft are kept.")
                return HttpResponseRedirect(self._url("change", page))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Unpublish “{page.name}”",
            "original": page,
            "form": form,
        }
        return TemplateResponse(request, "admin/tumours/page/unpublish.html", context)

    def preview_links_view(self, request, object_id):
        page = self._get_page(request, object_id)
        if request.method != "POST" or not request.user.has_perm(self.page_kind.publish_permission):
            raise PermissionDenied
        try:
            if "_revoke" in request.POST:
                count = services.revoke_preview_links(**self._named(page), by=request.user)
                messages.success(request, f"{count} preview link(s) revoked.")
            else:
                form = PreviewLinkForm(request.POST)
                days = form.cleaned_data["days"] if form.is_valid() else services.PREVIEW_LINK_DAYS
                path = services.create_preview_link(**self._named(page), by=request.user, days=days)
                messages.success(request, f"Preview link (valid {days} days): {request.build_absolute_uri(path)}")
        except ValidationError as error:
            messages.error(request, " ".join(_messages(error)))
        return HttpResponseRedirect(self._url("change", page))

    # Shared by the views above.

    def _get_page(self, request, object_id) -> ReviewedPage:
        page = self.get_object(request, unquote(str(object_id)))
        if page is None:
            raise Http404("No such page.")
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        return page

    def _may_edit(self, request, page: ReviewedPage) -> bool:
        if page.pk is None:
            return self.has_add_permission(request)
        return self.has_change_permission(request, page)

    def _named(self, page: ReviewedPage) -> dict[str, ReviewedPage]:
        """The page as the services take it: tumour=page or kit=page."""
        return {self.page_keyword: page}

    def _url(self, view: str, page: ReviewedPage) -> str:
        return reverse(self.page_kind.admin_url_name(view), args=[page.pk])


def _with_previous(revisions) -> list[tuple[Revision, Revision | None]]:
    """Newest first, each with the version saved before it (the last one shown is only there as that)."""
    revisions = list(revisions)
    return [(revision, revisions[n + 1] if n + 1 < len(revisions) else None) for n, revision in enumerate(revisions)][
        :200
    ]


def _active_links(page: ReviewedPage) -> list[PreviewLink]:
    return [link for link in PreviewLink.objects.of(page).select_related("created_by")[:20] if link.is_active]


def _messages(error: ValidationError) -> list[str]:
    return error.messages


def _add_errors(form, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
