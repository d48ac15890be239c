"""Keyboard only: the login form and the navbar menus work without a mouse."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from tests.e2e import arrange
from tests.e2e.arrange import PASSWORD
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {name: "", tag: "body", id: ""};
    const label = el.labels && el.labels[0] ? el.labels[0].innerText : "";
    return {
        name: (el.getAttribute("aria-label") || label || el.innerText || el.value || "").trim(),
        tag: el.tagName.toLowerCase(),
        id: el.id,
        ring: getComputedStyle(el).outlineStyle !== "none"
            || getComputedStyle(el).boxShadow !== "none",
    };
}"""


def coordinator():
    user = UserFactory(**arrange.COORDINATOR, password=PASSWORD)
    MembershipFactory(
        organization=OrganizationFactory(**arrange.ORGANIZATION),
        user=user,
        role=Membership.Role.COORDINATOR,
    )
    return user


def focused(person) -> dict:
    return person.page.evaluate(FOCUSED)


def tab_to(person, predicate, *, limit: int = 25, key: str = "Tab") -> list[dict]:
    """Press Tab until `predicate(focused element)`; the elements passed on the way."""
    seen = []
    for _press in range(limit):
        person.page.keyboard.press(key)
        element = focused(person)
        seen.append(element)
        if predicate(element):
            return seen
    raise AssertionError(f"{key} never reached the element; focus went through {seen}")


def test_keyboard_logs_in_and_works_the_navbar_menus(journey):
    arrange.build(coordinator)
    trip = journey("keyboard")
    cora = trip.person("cora")
    cora.goto(reverse("account_login"))

    first = tab_to(cora, lambda element: True)[0]
    assert first["name"] == "Skip to main content"
    way = tab_to(cora, lambda element: element["name"] == "Email")
    assert [element["name"] for element in way[:2]] == ["PeerMentor", "Log in"]
    assert all(element["ring"] for element in way), "every stop shows where the focus is"
    cora.page.keyboard.type(arrange.COORDINATOR["email"])
    cora.page.keyboard.press("Tab")
    assert focused(cora)["name"] == "Password"
    cora.page.keyboard.type(PASSWORD)
    trip.screenshot(cora.page, "login-by-keyboard")
    with cora.page.expect_navigation():
        cora.page.keyboard.press("Enter")
    cora.check(shot="signed-in")
    assert cora.path == reverse("home")

    # The organization menu: Enter opens it, the arrows move through it, Escape closes it.
    tab_to(cora, lambda element: element["id"] == "organization-switcher")
    switcher = cora.page.locator("#organization-switcher")
    cora.page.keyboard.press("Enter")
    assert switcher.get_attribute("aria-expanded") == "true"
    cora.page.keyboard.press("ArrowDown")
    assert focused(cora)["name"].startswith(arrange.ORGANIZATION["name"])
    trip.screenshot(cora.page, "organization-menu")
    cora.page.keyboard.press("ArrowDown")
    assert focused(cora)["name"] == "New organization"
    cora.page.keyboard.press("Escape")
    assert switcher.get_attribute("aria-expanded") == "false"
    assert focused(cora)["id"] == "organization-switcher"

    # The account menu: Tab gets there, Enter opens it, arrows choose, Enter follows the link.
    tab_to(cora, lambda element: element["id"] == "user-menu")
    cora.page.keyboard.press("Enter")
    assert cora.page.locator("#user-menu").get_attribute("aria-expanded") == "true"
    tab_to(cora, lambda element: element["name"] == "Change password", key="ArrowDown", limit=6)
    trip.screenshot(cora.page, "account-menu")
    with cora.page.expect_navigation():
        cora.page.keyboard.press("Enter")
    cora.check(shot="change-password")
    assert cora.path == reverse("account_change_password")
    trip.finish()
