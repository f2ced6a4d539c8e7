"""The asset CSV import's pages (deskside.assets.views.imports), under /assets/."""

from django.urls import path

from deskside.assets.views import imports as views

urlpatterns = [
    path("import/", views.upload, name="import_upload"),
    path("import/apply/", views.apply, name="import_apply"),
    path("import/errors.csv", views.errors_csv, name="import_errors"),
]
