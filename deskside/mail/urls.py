"""The mail pages, mounted at /mail/ (namespace "mail")."""

from django.urls import path
from django.views.generic import RedirectView

from deskside.mail import views

app_name = "mail"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="mail:quarantine"), name="home"),
    path("quarantine/", views.quarantine_view, name="quarantine"),
    path("received/", views.received_view, name="received"),
    path("messages/<str:public_id>/raw/", views.raw_view, name="raw"),
    path("messages/<str:public_id>/html/", views.html_view, name="html"),
    path("messages/<str:public_id>/reprocess/", views.reprocess_view, name="reprocess"),
    path("messages/<str:public_id>/discard/", views.discard_view, name="discard"),
    path("outbox/", views.outbox_view, name="outbox"),
    path("outbox/<str:public_id>/retry/", views.retry_view, name="retry"),
    path("mailboxes/", views.mailboxes_view, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_new, name="mailbox_new"),
    path("mailboxes/<int:pk>/", views.mailbox_detail, name="mailbox"),
    path("mailboxes/<int:pk>/test/", views.mailbox_test, name="mailbox_test"),
    path("templates/", views.templates_view, name="templates"),
    path("templates/<str:kind>/", views.template_detail, name="template"),
    path("templates/<str:kind>/reset/", views.template_reset, name="template_reset"),
]
