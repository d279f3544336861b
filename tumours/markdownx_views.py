"""The markdown editor's preview and upload endpoints, for those who may edit the content they serve.

The preview also gives the text's readability figures (tumours/readability.py), computed here on the server, so the
editor sees them change as they type without any script from elsewhere.

markdownx's own views are open to anyone; ours need a permission to change (or add) tumour pages or test kits,
so clinical editors and reviewers have them and Sales, who may only read pages, does not.
"""

from functools import wraps

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from .citations import KEY, Citations, source_numbers
from .images import ImageRejected, store_uploaded_image
from .markdown import markdown_problems, render_markdown
from .readability import readability

EDIT_PERMISSIONS = (
    "tumours.add_tumour",
    "tumours.change_tumour",
    "tumours.add_testkit",
    "tumours.change_testkit",
)


def may_edit_content(user) -> bool:
    return user.is_active and user.is_staff and any(user.has_perm(perm) for perm in EDIT_PERMISSIONS)


def content_editors_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_edit_content(request.user):
            return HttpResponseForbidden("Only clinical editors and reviewers may use this.")
        return view(request, *args, **kwargs)

    return wrapped


@content_editors_only
@require_POST
def markdownify(request):
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("Missing 'content'.")
    # The field's own limit is checked on save; here the renderer's, so a preview never runs past its budget.
    problems = markdown_problems(content.replace("\r\n", "\n"))
    if problems:
        items = format_html_join("", "<li>{}</li>", ((problem,) for problem in problems))
        return HttpResponse(format_html('<div class="markdown-problems"><p>Not shown:</p><ul>{}</ul></div>', items))
    citations = preview_citations(request)
    html = render_markdown(content, citations=citations)
    # The figures come after the page's HTML; the editor's script moves them beside the preview.
    return HttpResponse(citation_problems(citations) + html + readability_panel(content))


def preview_citations(request) -> Citations | None:
    """The page editor's script puts its sources' keys, in list order, in the preview's address (?keys=a,b), so
    the preview numbers citations as the page will and names a key no source has. No keys: no citations (a kit)."""
    if "keys" not in request.GET:
        return None
    keys = [key.strip() for key in request.GET["keys"].split(",")]
    keys = [key if KEY.fullmatch(key) else "" for key in keys]  # a bad key holds its place in the numbering
    return Citations(numbers=source_numbers(keys), scope="preview", show_unknown=True)


def citation_problems(citations: Citations | None) -> str:
    if citations is None or not citations.unknown:
        return ""
    unknown = sorted(set(citations.unknown))
    named = format_html_join(", ", "[@{}]", ((key,) for key in unknown))
    return format_html(
        '<div class="citation-problems"><p>No source of this page has the key {}. Add the source below, or correct '
        "the key: the page cannot be saved like this.</p></div>",
        named,
    )


def readability_panel(markdown_text: str) -> str:
    return render_to_string("admin/tumours/includes/readability.html", {"figures": readability(markdown_text)})


@content_editors_only
@require_POST
def upload(request):
    # Same contract as markdownx's view: {"image_code": ...} on success, {"image": [message]} with a 400.
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"image": ["Choose an image to upload."]}, status=400)
    try:
        url = store_uploaded_image(upload=upload)
    except ImageRejected as error:
        return JsonResponse({"image": [str(error)]}, status=400)
    return JsonResponse({"image_code": f"![]({url})"})
