"""How the isolation test (`tests/test_isolation.py`) reaches the audit log.

The log is for the organization's coordinators only; it only answers GET (a POST is a 405 for
everyone, before any access check, so it isn't listed).

The privacy pages (`privacy`, `privacy_export`, `privacy_delete`) aren't under an organization:
they show and delete the logged-in person's own data only, with no object id in the URL, so
there is nothing of anyone else's to reach (`tests/checkins/test_privacy_*.py` covers them).
"""

from tests.isolation import COORDINATORS, Route

ROUTES = {
    "audit_log": Route(methods=("get",), access=COORDINATORS),
}
