"""A coordinator's message to stuck members is bounded and its subject is one plain line."""

import pytest

from checkins import limits
from tests.checkins.test_dashboard import _reminder_rows, known, step_url  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"subject": "Hi", "body": "x" * 100_000},
            f"Ensure this value has at most {limits.MESSAGE_BODY_MAX} characters (it has 100000).",
        ),
        (
            {"subject": "x" * 100_000, "body": "Hello"},
            f"Ensure this value has at most {limits.MESSAGE_SUBJECT_MAX} characters "
            "(it has 100000).",
        ),
        ({"subject": "Your \u202edeadline", "body": "Hello"}, "U+202E"),
        ({"subject": "Hi", "body": "Hello\x00"}, "Null characters are not allowed."),
    ],
    ids=["long-body", "long-subject", "bidi-subject", "nul-body"],
)
@pytest.mark.usefixtures("known")
def test_an_invalid_message_is_shown_with_its_error_and_not_queued(
    client_for, coordinator, cohort, data, error
):
    response = client_for(coordinator).post(
        step_url(cohort, "joined"), {**data, "confirmed": "True"}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not _reminder_rows(cohort).exists()
