"""The asset pages under /assets/ (namespace "assets"): each part's patterns."""

from deskside.assets.urls_assets import urlpatterns as registry

app_name = "assets"

urlpatterns = [*registry]
