import pytest

from tests import factories
from tests.tickets import factories as ticket_factories


@pytest.fixture
def executive(default_status):
    # The default status first: after a transactional test's flush the first status created would become the default.
    return factories.vip_status("Executive", colour="#8B0000")


@pytest.fixture
def critical(db, executive):
    return factories.vip_status("Critical Role", colour="#B8860B")


@pytest.fixture
def exec_person(executive):
    return factories.person(1, vip_status=executive)


@pytest.fixture
def standard_person(default_status):
    return factories.person(2)


@pytest.fixture
def log_ticket():
    def log(caller, **fields):
        return ticket_factories.ticket(caller=caller, **fields)

    return log


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client
