"""Values every Jinja2 page needs from the request."""

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    # NHS.UK's page template reads ``cspNonce`` for its one inline script. django-csp's lazy
    # nonce is falsy until read, so it is read here, which also puts it in the CSP header.
    nonce = getattr(request, "csp_nonce", None)
    return {"cspNonce": str(nonce) if nonce is not None else ""}
