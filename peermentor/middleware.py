"""`LocalHealthProbeMiddleware`: `/healthz` answers a probe from this machine, whatever its Host.

A health check inside the container (or on the server) calls `http://127.0.0.1:8000/healthz`,
but a production ALLOWED_HOSTS holds only the public name, so Django's host validation would
answer 400 DisallowedHost. This middleware sits before anything that reads the host and calls
the health view itself for exactly one kind of request: `GET` or `HEAD` of the path `/healthz`,
from a loopback address, with no proxy header (`X-Forwarded-For`, `Forwarded`). A reverse proxy
on the same machine also connects from loopback, but it adds those headers: what it forwards
from outside goes through the normal host check like every other request. The health view
reads nothing from the request, so the unchecked Host cannot end up in its answer.
"""

from accounts.views import healthz

from .hosts import is_loopback_address

HEALTH_PATH = "/healthz"
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def is_local_health_probe(request) -> bool:
    return (
        request.path_info == HEALTH_PATH
        and request.method in ("GET", "HEAD")
        and is_loopback_address(request.META.get("REMOTE_ADDR"))
        and not any(header in request.META for header in PROXY_HEADERS)
    )


class LocalHealthProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_local_health_probe(request):
            return healthz(request)
        return self.get_response(request)
