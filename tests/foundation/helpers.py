"""Helpers shared by the foundation tests."""

from collections.abc import Callable

import pytest
from django.db import IntegrityError, connection, transaction


def refused_by(constraint: str, write: Callable[[], object]) -> None:
    """Run ``write`` and assert PostgreSQL refuses it with exactly ``constraint``.

    Deferrable constraints (foreign keys) are checked at once with SET CONSTRAINTS, as a commit
    would; the test transaction itself never commits.
    """
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        write()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert excinfo.value.__cause__.diag.constraint_name == constraint
