"""The knowledge-base pages, mounted at /kb/ (namespace "kb")."""

from django.urls import path

from deskside.kb import views

app_name = "kb"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("due/", views.due, name="due"),
    path("due/count/", views.due_count, name="due_count"),
    path("suggest/", views.suggest, name="suggest"),
    path("files/<str:public_id>/", views.download, name="download"),
    path("tickets/<str:number>/", views.ticket_panel, name="ticket_panel"),
    path("tickets/<str:number>/draft/", views.draft, name="draft"),
    path("tickets/<str:number>/solved/<str:public_id>/", views.solved, name="solved"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/edit/", views.edit, name="edit"),
    path("<str:public_id>/history/", views.history, name="history"),
    path("<str:public_id>/reviewed/", views.reviewed, name="reviewed"),
    path("<str:public_id>/files/", views.attach, name="attach"),
    path("<str:public_id>/deflect/", views.deflect, name="deflect"),
]
