"""How the isolation test (`tests/test_isolation.py`) reaches the member import routes."""

from tests.isolation import Route

ROUTES = {
    "member_import": Route(lambda w: {"cohort_id": w.cohort.pk}),
    "member_import_confirm": Route(lambda w: {"cohort_id": w.cohort.pk}, methods=("post",)),
    "member_import_example": Route(lambda w: {"cohort_id": w.cohort.pk}, methods=("get",)),
}
