from tests.test_settings import production_env  # noqa: F401 - shared fixture
