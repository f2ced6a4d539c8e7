"""Remote control's pages under /assets/ (deskside.assets.views.remote)."""

from django.urls import path

from deskside.assets.views import remote as views

urlpatterns = [
    path("remote/templates/", views.templates, name="remote_templates"),
    path("remote/templates/<slug:slug>/<str:tool>/", views.template_edit, name="remote_template"),
    path(
        "remote/templates/<slug:slug>/<str:tool>/delete/",
        views.template_delete,
        name="remote_template_delete",
    ),
    path("remote/tickets/<str:number>/", views.ticket_panel, name="remote_panel"),
    path("remote/tickets/<str:number>/connect/", views.connect, name="remote_connect"),
    path("remote/sessions/<str:public_id>/", views.session_page, name="remote_session"),
    path("remote/sessions/<str:public_id>/end/", views.end, name="remote_end"),
]
