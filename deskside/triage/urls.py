"""The triage pages, mounted at /triage/ (namespace "triage")."""

from django.urls import path

from deskside.triage import views

app_name = "triage"

urlpatterns = [
    path("", views.index, name="index"),
    path("train/", views.train, name="train"),
    path("fields/<str:field>/", views.set_field, name="set_field"),
    path("suggest/", views.suggest, name="suggest"),
    path("tickets/<str:number>/accept/", views.accept, name="accept"),
]
