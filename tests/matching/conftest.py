import pytest

from accounts.models import Cohort


@pytest.fixture
def cohort(cohort):
    """The matching is run, reviewed and answered while the cohort is in its matching state."""
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.MATCHING)
    cohort.refresh_from_db()
    return cohort
