import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from orders.models import TestRequest
from tumours.models import Section, Source, TestKit, Tumour


class TestKitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TestKit
        django_get_or_create = ["slug"]

    name = "Oncofocus"
    slug = "oncofocus"
    description = "The most comprehensive precision oncology test."


class TumourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tumour
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sarcoma {n}")
    slug = factory.Sequence(lambda n: f"sarcoma-{n}")
    summary = "A rare tumour of connective tissue."
    status = Tumour.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    first_published_at = factory.LazyAttribute(lambda page: page.published_at)

    @factory.post_generation
    def test_kits(self, create, extracted, **kwargs):
        if create and extracted:
            self.test_kits.set(extracted)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    tumour = factory.SubFactory(TumourFactory)
    heading = factory.Sequence(lambda n: f"Heading {n}")
    body = "Some text about the tumour."
    position = factory.Sequence(lambda n: n)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    tumour = factory.SubFactory(TumourFactory)
    title = "Leiomyosarcoma"
    key = factory.Sequence(lambda n: f"source-{n}")
    url = "https://en.wikipedia.org/wiki/Leiomyosarcoma"
    publisher = "Wikipedia"
    licence = "CC BY-SA 4.0"
    licence_url = "https://creativecommons.org/licenses/by-sa/4.0/"


class TestRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TestRequest

    reference = factory.Sequence(lambda n: f"OF-T{n:07d}")
    tumour = factory.SubFactory(TumourFactory)
    test_kit = factory.SubFactory(TestKitFactory)
    requester_type = TestRequest.RequesterType.PATIENT
    full_name = "Ada Patient"
    email = "ada@example.com"
    country = "GB"
    consent_version = "test"
    consented_at = factory.LazyFunction(timezone.now)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@oncosite.invalid")
    password = factory.django.Password("correct horse battery")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
