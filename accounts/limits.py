"""How long the accounts app's texts may be: the forms' and the database's one source."""

PERSON_NAME_MAX = 150  # a first or a last name
ORGANIZATION_NAME_MAX = 120
PROGRAM_NAME_MAX = 120
PROGRAM_DESCRIPTION_MAX = 2000
COHORT_NAME_MAX = 120
SLUG_MAX = 60
