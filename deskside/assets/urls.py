"""The asset pages under /assets/ (namespace "assets"): each part's patterns (urls_<part>)."""

from deskside.assets import urls_disposal, urls_imports

app_name = "assets"

urlpatterns: list = [*urls_imports.urlpatterns, *urls_disposal.urlpatterns]
