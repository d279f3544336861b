"""Staff-only versions of markdownx's preview and upload endpoints (the package's own are public)."""

from functools import wraps

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.http import require_POST
from markdownx.views import ImageUploadView

from .markdown import render_markdown


def staff_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff):
            return HttpResponseForbidden("Staff only.")
        return view(request, *args, **kwargs)

    return wrapped


@staff_only
@require_POST
def markdownify(request):
    content = request.POST.get("content")
    if content is None:
        return HttpResponseBadRequest("Missing 'content'.")
    return HttpResponse(render_markdown(content))


upload = staff_only(require_POST(ImageUploadView.as_view()))
