"""How the isolation test (`tests/test_isolation.py`) reaches the lifecycle routes: a cohort's
lifecycle pages and CSV exports (coordinators), and the closing survey (enrolled members).

The World's cohort is open, so the POSTs are refused by the lifecycle rules (a redirect with a
message) or by the survey (the page again with the reason): the walker only checks who gets in.
"""

from tests.isolation import COORDINATORS, ENROLLED, Route


def _cohort(world) -> dict:
    return {"cohort_id": world.cohort.pk}


def _export(world) -> dict:
    return {"cohort_id": world.cohort.pk, "kind": "members"}


ROUTES = {
    "cohort_lifecycle": Route(_cohort, methods=("get",), access=COORDINATORS),
    "cohort_advance": Route(_cohort, access=COORDINATORS),
    "cohort_step_back": Route(_cohort, access=COORDINATORS),
    "cohort_close": Route(_cohort, access=COORDINATORS),
    "closing_survey": Route(_cohort, access=ENROLLED),
    "cohort_exports": Route(_cohort, methods=("get",), access=COORDINATORS),
    "cohort_export": Route(_export, methods=("post",), access=COORDINATORS),
}
