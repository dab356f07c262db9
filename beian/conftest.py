import pytest

from beian.testing import Cast


@pytest.fixture
def cast(db) -> Cast:
    """A small school with one user per role (see `beian.testing.Cast`)."""
    return Cast()
