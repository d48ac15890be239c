"""The coordinators' dashboards, for the cross-organization isolation table
(`tests/test_isolation.py`). All three are for coordinators only: members get 403.

- `cohort_dashboard` (GET only, `@require_GET`): the funnel, pairs and charts of the cohort.
- `cohort_funnel_step` (GET and POST): the people stuck at a step; the POST queues a reminder
  to them. The table uses the "joined" step, whose people can get a message, so the POST
  goes through the form: an empty POST re-renders the page for the coordinator (200), and
  reaches nothing for anyone else.
- `program_dashboard` (GET only): the program's cohorts side by side.
"""

from tests.isolation import COORDINATORS, Route

ROUTES = {
    "cohort_dashboard": Route(
        lambda w: {"cohort_id": w.cohort.pk}, methods=("get",), access=COORDINATORS
    ),
    "cohort_funnel_step": Route(
        lambda w: {"cohort_id": w.cohort.pk, "step": "joined"}, access=COORDINATORS
    ),
    "program_dashboard": Route(
        lambda w: {"program_id": w.program.pk}, methods=("get",), access=COORDINATORS
    ),
}
