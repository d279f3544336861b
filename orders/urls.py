from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("tumours/<slug:slug>/request-test/", views.request_test, name="request_test"),
    path("orders/request-sent/", views.request_sent, name="request_sent"),
    path("orders/status/<str:token>/", views.request_status, name="status"),
]
