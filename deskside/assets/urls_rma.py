"""Vendor RMAs' pages under /assets/ (deskside.assets.views.rma)."""

from django.urls import path

from deskside.assets.views import rma as views

urlpatterns = [
    path("rma/tickets/<str:number>/", views.ticket_panel, name="rma_panel"),
    path("rma/tickets/<str:number>/cases/", views.open_case, name="rma_open"),
    path("rma/cases/<str:public_id>/entries/", views.add_entry, name="rma_entry"),
    path("rma/cases/<str:public_id>/close/", views.close_case, name="rma_close"),
    path("rma/assets/<str:public_id>/", views.asset_history, name="rma_asset_history"),
]
