"""The asset pages under /assets/ (namespace "assets"): each part's patterns (urls_<part>).
The parts with literal paths come first: the registry's asset pages match any 12-character
public id, which a word such as "vendor-cases" would also be."""

from deskside.assets import (
    urls_assets,
    urls_disposal,
    urls_imports,
    urls_remote,
    urls_rma,
)

app_name = "assets"

urlpatterns: list = [
    *urls_imports.urlpatterns,
    *urls_disposal.urlpatterns,
    *urls_remote.urlpatterns,
    *urls_rma.urlpatterns,
    *urls_assets.urlpatterns,
]
