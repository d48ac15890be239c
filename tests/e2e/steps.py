"""Browser steps that more than one journey takes."""

from tests.e2e import arrange


def write_one_goal(person, email: str, *, shot: str) -> None:
    """On the section form: the one-year goal (carried over from the profile, if any) with a
    strategy and a number indicator, saved."""
    if person.page.get_by_role("link", name="Edit goal, strategies and indicators").count():
        person.click("Edit goal, strategies and indicators")
    elif person.page.get_by_role("link", name="Add your first goal").count():
        person.click("Add your first goal")
    person.select("Horizon", "1y")
    person.fill("Goal (the what)", arrange.PROFILE_ADDITIONS[email]["goal"])
    person.fill("Strategy (the how)", "Prepare one part each week with my partner")
    indicator = person.page.locator("#indicators-rows [data-formset-row]").first
    person.fill("Success indicator", "Parts done", within=indicator)
    person.select("Measured as", "number", within=indicator)
    person.fill("Target", "10", within=indicator)
    person.fill("Unit", "parts", within=indicator)
    person.fill("Due date", arrange.cohort_dates()[1].isoformat(), within=indicator)
    person.click("Save goal", shot=shot)
    assert "Saved at" in person.messages
