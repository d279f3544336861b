from django.urls import path

from . import views

app_name = "tumours"

urlpatterns = [
    path("", views.home, name="home"),
    path("tumours/", views.index, name="index"),
    path("tumours/<slug:slug>/", views.detail, name="detail"),
]
