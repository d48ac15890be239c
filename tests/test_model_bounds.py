"""Rules every model of the project keeps, checked by walking them all, so that a new field or
constraint can't quietly break them: every text has a length bound in the database, and every
constraint speaks to people in words, never by its internal name."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from accounts.validators import text_length_check

PROJECT_APPS = {"accounts", "profiles", "matching", "contracts", "checkins"}


def project_models():
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def length_bounds(model) -> dict[str, int]:
    """The fields a check constraint holds to `Length(field) <= limit`, with the limit."""
    bounds = {}
    for constraint in model._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if (
            isinstance(constraint, models.CheckConstraint)
            and isinstance(condition, LessThanOrEqual)
            and isinstance(condition.lhs, Length)
        ):
            (source,) = condition.lhs.get_source_expressions()
            bounds[source.name] = condition.rhs
    return bounds


def text_fields():
    for model in project_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.CharField | models.TextField) and field.model is model:
                yield model, field


def all_constraints():
    for model in project_models():
        for constraint in model._meta.constraints:
            yield model, constraint


def test_the_walk_finds_the_project_s_text_fields_and_constraints():
    fields = {f"{model.__name__}.{field.name}" for model, field in text_fields()}
    names = {constraint.name for _model, constraint in all_constraints()}

    assert {"ContractSection.assets", "Tag.name", "CheckIn.learned", "User.first_name"} <= fields
    assert {"contract_meeting_minutes_range", "tag_name_unique_per_organization"} <= names


@pytest.mark.parametrize(
    ("model", "field"), list(text_fields()), ids=lambda item: getattr(item, "name", str(item))
)
def test_every_text_field_is_bounded_in_the_database(model, field):
    if isinstance(field, models.TextField):
        bounds = length_bounds(model)
        assert field.name in bounds, f"{model.__name__}.{field.name} needs a Length check"
        # The form's limit (from the field's max_length), the model's validation (which names
        # the field) and the database's agree.
        assert field.max_length == bounds[field.name]
        assert MaxLengthValidator(field.max_length) in field.validators
    else:
        assert field.max_length, f"{model.__name__}.{field.name} needs a max_length"


@pytest.mark.parametrize(
    ("model", "constraint"),
    list(all_constraints()),
    ids=lambda item: getattr(item, "name", str(item)),
)
def test_every_constraint_has_a_message_for_people(model, constraint):
    message = str(constraint.violation_error_message)

    assert message != str(constraint.default_violation_error_message)
    assert constraint.name not in message


def test_a_length_check_reports_the_field_and_the_limit_not_the_constraint_name():
    check = text_length_check(model="demo", field="note", limit=10, label="The note")

    message = check.get_violation_error_message()

    assert message == "The note can be at most 10 characters long."
    assert "demo_note_max_length" not in message


@pytest.mark.django_db
def test_a_text_over_its_bound_is_refused_by_the_database_too():
    """Even past the forms and `full_clean`, e.g. an update() or another client."""
    from django.db import IntegrityError, transaction

    from tests.factories import OrganizationFactory, ProgramFactory

    program = ProgramFactory(organization=OrganizationFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        type(program).objects.filter(pk=program.pk).update(description="x" * 2001)
    with pytest.raises(ValidationError, match="at most 2000 characters"):
        program.description = "x" * 2001
        program.full_clean()


def test_a_length_check_speaks_danish_too():
    from django.utils import translation

    from contracts.models import ContractSection

    (check,) = [
        c
        for c in ContractSection._meta.constraints
        if c.name == "contractsection_assets_max_length"
    ]
    with translation.override("da"):
        message = check.get_violation_error_message()

    assert message == "Hvad du allerede har med må højst være 4000 tegn lang."


@pytest.mark.django_db
def test_the_migration_step_cuts_application_texts_and_stops_on_typed_ones():
    from django.apps import apps as registry

    from accounts.models import Program
    from accounts.validators import prepare_length_checks
    from tests.factories import OrganizationFactory, ProgramFactory

    program = ProgramFactory(organization=OrganizationFactory(), description="Founders helping")
    step = prepare_length_checks(("accounts", "program", "description", 8, False))

    with pytest.raises(RuntimeError, match=r"program.description: 1 row over 8 characters"):
        step.code(registry, None)
    assert Program.objects.get(pk=program.pk).description == "Founders helping"

    prepare_length_checks(("accounts", "program", "description", 8, True)).code(registry, None)
    assert Program.objects.get(pk=program.pk).description == "Founders"
