import pytest

# Roles get their ticket permissions when tickets.seed is imported (as seed_demo does before syncing roles).
import tickets.seed  # noqa: F401


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client
