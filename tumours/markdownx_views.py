"""Staff-only versions of markdownx's preview and upload endpoints (the package's own are public)."""

from functools import wraps

from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.views.decorators.http import require_POST

from .images import ImageRejected, store_uploaded_image
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


@staff_only
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
