"""The asset pages under /assets/: the sum of each part's url patterns."""

from deskside.assets import urls_remote, urls_rma

app_name = "assets"

urlpatterns: list = [*urls_remote.urlpatterns, *urls_rma.urlpatterns]
