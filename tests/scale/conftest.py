import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.fixture
def migrate():
    """``migrate(target)`` moves the schema to ``target`` (a list of (app, migration)). After
    the test it is back at the latest migrations, whatever the test did: the next tests run on
    the current schema."""
    yield lambda target: _executor().migrate(target)
    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())
