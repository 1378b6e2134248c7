import pytest


@pytest.fixture
def alice_client(world, login):
    return login(world.alice)
