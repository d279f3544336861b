from django.conf import settings


def canonical_url(request):
    # The public address from SITE_URL, never the request's Host header, so a cached page and search
    # engines always get the one true address. No database access: the 404 page uses this too.
    return {"canonical_url": settings.SITE_URL.rstrip("/") + request.path}


def company(request):
    # Who publishes the site, e.g. for the label that marks the kit box as the company's own product.
    return {"company_name": settings.SITE_COMPANY_NAME}
