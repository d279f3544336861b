"""Which front-cache keys each write purges (tumours/surrogate_keys.py), noted for the purge after the commit
(oncosite/front_cache.py). Connected after the page cache's own signals, so its drop is registered first."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from oncosite.front_cache import purge_on_commit

from . import surrogate_keys
from .editorial import Draft
from .models import KitSection, OldSlug, Section, Source, TestKit, Tumour


def _written(sender, instance, using=None, **kwargs):
    purge_on_commit(surrogate_keys.keys_for_change(instance), using=using)


def _kits_changed(sender, instance, action, reverse, pk_set, using=None, **kwargs):
    if not action.startswith("post_") and action != "pre_clear":
        return
    if action == "pre_clear":
        # clear() does not say which rows it removes: read them before they go.
        related = instance.tumours if reverse else instance.test_kits
        pk_set = set(related.values_list("pk", flat=True))
    # The tumour's kit box and the kit pages' lists of tumours.
    keys = {surrogate_keys.TUMOUR_LIST}
    tumours, kits = ((pk_set or set()), {instance.pk}) if reverse else ({instance.pk}, (pk_set or set()))
    keys |= {surrogate_keys.tumour(pk) for pk in tumours} | {surrogate_keys.kit(pk) for pk in kits}
    purge_on_commit(keys, using=using)


def connect() -> None:
    for model in (Tumour, Section, Source, TestKit, KitSection, OldSlug):
        post_save.connect(_written, sender=model, dispatch_uid=f"frontcache-save-{model.__name__}")
        post_delete.connect(_written, sender=model, dispatch_uid=f"frontcache-delete-{model.__name__}")
    post_save.connect(_written, sender=Draft, dispatch_uid="frontcache-save-Draft")
    m2m_changed.connect(_kits_changed, sender=Tumour.test_kits.through, dispatch_uid="frontcache-tumour-kits")
