"""The sign-off page a requester opens from the mailed link, `/field/sign/<visit>/<token>/`.

No login: the signed token is the authority (`deskside.field.signoff_links`). A GET shows the
visit (date, site, the technician's first name, the public work summary) and the form; only
the POST stores anything (mail scanners fetch every link in a mail). A link that was altered,
made for another visit, expired, or already used gets a page that says so (and the status:
400, 410, 409), and nothing is stored.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from deskside.core.exceptions import DomainError
from deskside.core.forms import add_domain_error
from deskside.field.forms.visits import SignatureForm
from deskside.field.services import signoff


def _refused(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(
        request, "field/signoff_refused.html", {"message": exc.message}, status=exc.status_code
    )


@require_http_methods(["GET", "HEAD", "POST"])
def signoff_page(request: HttpRequest, public_id: str, token: str) -> HttpResponse:
    try:
        page = signoff.open_link(public_id, token)
    except DomainError as exc:
        return _refused(request, exc)
    form = SignatureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            visit = signoff.sign_by_link(
                public_id, token, form.cleaned_data["name"], form.cleaned_data["signature"]
            )
        except DomainError as exc:
            if exc.field in ("name", "signature"):
                add_domain_error(form, exc)
            else:
                return _refused(request, exc)
        else:
            return render(request, "field/signoff_done.html", {"visit": visit, "page": page})
    status = 400 if form.is_bound else 200
    return render(request, "field/signoff.html", {"page": page, "form": form}, status=status)
