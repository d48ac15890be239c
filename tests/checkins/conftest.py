import pytest

from accounts.models import Cohort


@pytest.fixture
def cohort(cohort):
    """Meetings and check-ins happen while the mentoring runs, in an active cohort.

    Tests of the other states move the cohort themselves."""
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.ACTIVE)
    cohort.refresh_from_db()
    return cohort
