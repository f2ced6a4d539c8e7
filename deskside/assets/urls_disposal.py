"""The certified-disposal pages (deskside.assets.views.disposal), under /assets/."""

from django.urls import path

from deskside.assets.views import disposal as views

urlpatterns = [
    path("disposal/", views.batches, name="disposal_list"),
    path("disposal/new/", views.new_batch, name="disposal_new"),
    path("disposal/report/", views.report, name="disposal_report"),
    path("disposal/<str:public_id>/", views.batch_page, name="disposal_batch"),
    path("disposal/<str:public_id>/certificate/", views.certificate, name="disposal_certificate"),
]
