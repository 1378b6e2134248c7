"""manage.py ingest: prints the report, lists rejects on stderr, exits non-zero on any reject."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from portal.models import PhoneNumber
from tests.ingest.conftest import csv_bytes, ndjson_bytes, number_row

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """Run the real command against the test database, as an operator of the portal would."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "ingest", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def test_command_ingests_a_file_and_prints_the_report(world, tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_bytes(csv_bytes([number_row()]))
    out = StringIO()

    call_command("ingest", "numbers", str(path), stdout=out)

    assert out.getvalue().strip() == "numbers: 1 rows, 1 inserted, 0 updated, 0 unchanged"
    assert PhoneNumber.objects.count() == 1


def test_command_takes_the_format_from_the_extension(world, tmp_path):
    path = tmp_path / "numbers.ndjson"
    path.write_bytes(ndjson_bytes([number_row()]))

    call_command("ingest", "numbers", str(path), stdout=StringIO())

    assert PhoneNumber.objects.count() == 1


def test_command_lists_rejects_on_stderr_and_fails(world, tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_bytes(csv_bytes([number_row(), number_row(telephone_number="+0", tenant="nobody")]))
    err = StringIO()

    with pytest.raises(CommandError, match="2 rejected; nothing was written"):
        call_command("ingest", "numbers", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3, field telephone_number: not a valid E.164 number",
        "line 3, field tenant: unknown tenant",
    ]
    assert PhoneNumber.objects.count() == 0


def test_command_needs_a_format_for_stdin(world):
    with pytest.raises(CommandError, match="--format is required"):
        call_command("ingest", "numbers", "-")


@pytest.mark.django_db(transaction=True)
def test_real_command_exit_codes_and_stderr(tmp_path):
    connection.close()  # the subprocess needs the database; keep no transaction open here
    bad = csv_bytes([number_row(tenant="nobody", operator="operator-o")])

    refused = _manage("numbers", "-", "--format", "csv", stdin=bad)

    assert refused.returncode == 1
    assert refused.stdout.decode().strip() == "numbers: 1 rows, 2 rejected; nothing was written"
    stderr = refused.stderr.decode()
    assert "line 2, field tenant: unknown tenant" in stderr
    assert "line 2, field operator: unknown operator" in stderr
    assert "CommandError: 2 rejected; nothing was written." in stderr

    binary = _manage("numbers", "-", "--format", "csv", stdin=b"\x00\x01")
    assert binary.returncode == 1
    assert "The input is binary" in binary.stderr.decode()

    missing = _manage("numbers", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1
    assert "Cannot open the file" in missing.stderr.decode()
