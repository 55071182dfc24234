import pytest


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client
