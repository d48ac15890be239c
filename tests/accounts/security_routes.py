"""How the isolation test (`tests/test_isolation.py`) reaches the organization's security page."""

from tests.isolation import Route

ROUTES = {
    "organization_security": Route(),
}
