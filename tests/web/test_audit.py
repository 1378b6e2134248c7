"""The tenant's audit log: human sentences and filters."""

from datetime import UTC, datetime

import pytest
import time_machine

from portal import services

pytestmark = pytest.mark.django_db


def _sentences(response) -> list[str]:
    return [e.sentence for e in response.context["page"].object_list]


@pytest.fixture
def history(world):
    with time_machine.travel(datetime(2027, 5, 10, 9, 0, tzinfo=UTC), tick=False):
        services.suspend_assignment(world.assignment, by=world.alice)
    with time_machine.travel(datetime(2027, 5, 12, 9, 0, tzinfo=UTC), tick=False):
        services.resume_assignment(world.assignment, by=world.victor)
    with time_machine.travel(datetime(2027, 5, 13, 9, 0, tzinfo=UTC), tick=False):
        services.add_member(world.tenant_a, email="new@contoso.test", role="viewer", by=world.alice)
    # Another tenant's events never show.
    services.enable_operator_connect(world.tenant_b, by=world.bob, acknowledged=True)


def test_audit_log_reads_as_sentences_newest_first(world, alice_client, url, history):
    response = alice_client.get(url("audit", world.tenant_a))
    sentences = _sentences(response)
    assert sentences[0] == "Alice Admin added member new@contoso.test as viewer"
    assert "Alice Admin suspended Operator O for DE, GB" in sentences
    assert "Victor Viewer resumed Operator O for DE, GB" in sentences
    assert not any("Bob" in s for s in sentences)
    assert "Alice Admin suspended Operator O for DE, GB" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "assignment.suspended"}, ["Alice Admin suspended Operator O for DE, GB"]),
        ({"date_from": "2027-05-11", "date_to": "2027-05-12"},
         ["Victor Viewer resumed Operator O for DE, GB"]),
    ],
)  # fmt: skip
def test_audit_log_filters(world, alice_client, url, history, query, expected):
    assert _sentences(alice_client.get(url("audit", world.tenant_a), query)) == expected


def test_audit_log_filters_by_actor_and_operator(world, alice_client, url, history):
    by_victor = _sentences(
        alice_client.get(url("audit", world.tenant_a), {"actor": str(world.victor.pk)})
    )
    assert by_victor == ["Victor Viewer resumed Operator O for DE, GB"]
    about_o = _sentences(alice_client.get(url("audit", world.tenant_a), {"operator": "operator-o"}))
    assert about_o and all("Operator O" in s for s in about_o)
    assert "Alice Admin added member new@contoso.test as viewer" not in about_o


def test_viewer_can_read_the_audit_log(world, login, url, history):
    response = login(world.victor).get(url("audit", world.tenant_a))
    assert response.status_code == 200
