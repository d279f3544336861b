"""Any write to what public pages show drops the page cache, whichever path made it (approval, shell, migration).

The cache is dropped once the write has committed: dropped earlier, a visitor arriving in between would cache the
old text under the new generation, and it would be served until it expired.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import purges
from .cache import drop_public_pages
from .models import KitSection, Section, Source, TestKit, Tumour


def _drop(sender, **kwargs):
    transaction.on_commit(drop_public_pages, robust=True)


def connect() -> None:
    for model in (Tumour, Section, Source, TestKit, KitSection):
        post_save.connect(_drop, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
        post_delete.connect(_drop, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
    m2m_changed.connect(_drop, sender=Tumour.test_kits.through, dispatch_uid="pagecache-tumour-kits")
    # The front cache (Varnish, a CDN): the keys each write affects, purged after the commit.
    purges.connect()
