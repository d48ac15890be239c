import pytest

from accounts.models import Cohort


@pytest.fixture
def cohort(cohort):
    """Contracts are written and signed while the mentoring runs, in an active cohort."""
    Cohort.objects.filter(pk=cohort.pk).update(status=Cohort.Status.ACTIVE)
    cohort.refresh_from_db()
    return cohort
