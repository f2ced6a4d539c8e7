"""The work-order template pages (deskside.workorders.views.templates)."""

from django.urls import path

from deskside.workorders.views import templates as views

urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_new, name="template_new"),
    path("templates/<str:public_id>/", views.template_detail, name="template"),
    path("templates/<str:public_id>/edit/", views.template_edit, name="template_edit"),
    path("templates/<str:public_id>/active/", views.template_active, name="template_active"),
]
