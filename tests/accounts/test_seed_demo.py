"""The seed_demo command builds a demo organization, and running it again changes nothing."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Cohort, Enrolment, Membership, Organization, Program, User

pytestmark = pytest.mark.django_db

COORDINATOR_EMAIL = "coordinator@demo.peermentor.test"


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, EmailAddress, Organization, Membership, Program, Cohort, Enrolment)
    }


def test_seed_demo_builds_a_coordinator_and_forty_enrolled_members():
    seed()

    organization = Organization.objects.get(slug="demo")
    coordinator = Membership.objects.get(organization=organization, user__email=COORDINATOR_EMAIL)
    assert coordinator.role == Membership.Role.COORDINATOR
    cohort = Cohort.objects.get(organization=organization)
    assert cohort.enrolments.count() == 40
    assert not EmailAddress.objects.filter(verified=False).exists()


def test_running_seed_demo_twice_duplicates_nothing():
    seed()
    first = counts()

    seed()

    assert counts() == first


def test_demo_coordinator_logs_in_with_the_printed_password(client):
    output = seed()
    password = re.search(r"password: (\S+)", output).group(1)

    client.post(reverse("account_login"), {"login": COORDINATOR_EMAIL, "password": password})

    assert client.session[SESSION_KEY] == str(User.objects.get(email=COORDINATOR_EMAIL).pk)


def test_seed_demo_restores_a_changed_demo_password(client):
    output = seed()
    password = re.search(r"password: (\S+)", output).group(1)
    user = User.objects.get(email=COORDINATOR_EMAIL)
    user.set_password("something-else-42")
    user.save()

    seed()

    user.refresh_from_db()
    assert user.check_password(password)
