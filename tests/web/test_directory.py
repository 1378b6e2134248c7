"""The operator directory, operator pages and "Add as my operator"."""

import pytest

from portal.acknowledgements import ASSIGN_TEXT
from portal.choices import AssignmentStatus, AuditAction, CompanySize
from portal.models import AuditEvent, OperatorAssignment
from tests.factories import OperatorFactory
from tests.web.conftest import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def more_operators(world):
    return [
        OperatorFactory(name="Nordic Mobile", slug="nordic", countries=["SE", "NO"],
                        services=["mobile"], description="Mobile calling in the Nordics"),
        OperatorFactory(name="Retired Telco", slug="retired", countries=["GB"], is_active=False),
    ]  # fmt: skip


def _names(response) -> list[str]:
    return [operator.name for operator, _, _ in response.context["rows"]]


def test_directory_lists_active_operators_with_this_tenants_status(
    world, alice_client, url, more_operators
):
    response = alice_client.get(url("directory", world.tenant_a))
    assert _names(response) == ["Nordic Mobile", "Operator O", "Operator U"]
    statuses = {o.slug: status for o, status, _ in response.context["rows"]}
    assert statuses["operator-o"] == AssignmentStatus.ACTIVE
    assert statuses["operator-u"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=nordics", ["Nordic Mobile"]),
        ("country=SE", ["Nordic Mobile"]),
        ("country=DE", ["Operator O", "Operator U"]),
        ("service=mobile", ["Nordic Mobile"]),
        ("service=calling&country=GB", ["Operator O", "Operator U"]),
        ("q=zzz", []),
    ],
)
def test_directory_search_and_filters(world, alice_client, url, more_operators, query, expected):
    response = alice_client.get(url("directory", world.tenant_a) + "?" + query)
    assert _names(response) == expected


def test_operator_page_shows_links_and_countries(world, alice_client, url):
    html = alice_client.get(
        url("operator_detail", world.tenant_a, operator_slug="operator-u")
    ).content.decode()
    assert 'href="https://operator-u.example/privacy"' in html
    assert 'href="https://operator-u.example/terms"' in html
    assert "United Kingdom" in html and "Germany" in html
    assert "Add as my operator" in html


def test_inactive_operator_is_not_in_the_directory(world, alice_client, url, more_operators):
    response = alice_client.get(url("operator_detail", world.tenant_a, operator_slug="retired"))
    assert response.status_code == 404


def test_assign_form_offers_only_served_countries_and_prefills_the_contact(
    world, alice_client, url
):
    response = alice_client.get(url("assign", world.tenant_a, operator_slug="operator-u"))
    form = response.context["form"]
    assert [code for code, _ in form.fields["countries"].choices] == ["DE", "GB"]
    assert form.initial == {
        "contact_full_name": "Alice Admin",
        "contact_email": "alice@contoso.test",
    }
    html = response.content.decode()
    assert 'value="FR"' not in html
    assert ASSIGN_TEXT.version in html


def _assign_data(**overrides):
    data = {
        "countries": ["GB"],
        "contact_full_name": "Alice Admin",
        "contact_email": "alice@contoso.test",
        "company_size": CompanySize.S51_250,
        "contact_phone": "+44 20 7946 0000",
        "acknowledged": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"countries": ["FR"]}, "countries", "Select a valid choice"),
        ({"countries": None}, "countries", "Choose at least one country."),
        ({"company_size": None}, "company_size", "This field is required."),
        ({"company_size": "huge"}, "company_size", "Select a valid choice"),
        ({"contact_phone": "12345"}, "contact_phone", "international format"),
        ({"contact_phone": "+44 12"}, "contact_phone", "not valid"),
        ({"contact_email": "not-an-email"}, "contact_email", "valid email"),
        ({"contact_full_name": ""}, "contact_full_name", "This field is required."),
        ({"acknowledged": None}, "acknowledged", "Please tick the box"),
    ],
)
def test_assign_form_rejects_bad_input_with_field_errors(
    world, alice_client, url, overrides, field, message
):
    response = alice_client.post(
        url("assign", world.tenant_a, operator_slug="operator-u"), _assign_data(**overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}' in response.content.decode()
    assert not OperatorAssignment.objects.filter(operator=world.operator_u).exists()


def test_assign_adds_the_operator_with_its_countries_contact_and_acknowledgement(
    world, alice_client, url
):
    response = alice_client.post(
        url("assign", world.tenant_a, operator_slug="operator-u"),
        _assign_data(countries=["GB", "DE"]),
    )
    assert response.status_code == 302
    assert response["Location"] == url("assignments", world.tenant_a)
    assignment = OperatorAssignment.objects.get(tenant=world.tenant_a, operator=world.operator_u)
    assert assignment.country_codes == ["DE", "GB"]
    assert assignment.contact_phone == "+442079460000"
    assert assignment.company_size == CompanySize.S51_250
    assert assignment.acknowledgement.text_version == ASSIGN_TEXT.version
    assert AuditEvent.objects.filter(
        action=AuditAction.ASSIGNMENT_ADDED, operator=world.operator_u
    ).exists()
    follow = alice_client.get(response["Location"])
    assert messages_of(follow) == ["Operator U was added for DE, GB."]


def test_assign_page_of_an_existing_operator_sends_to_its_page(world, alice_client, url):
    response = alice_client.get(url("assign", world.tenant_a, operator_slug="operator-o"))
    assert response.status_code == 302
    assert response["Location"] == url(
        "assignment_detail", world.tenant_a, operator_slug="operator-o"
    )


def test_assigning_twice_shows_the_service_message(world, alice_client, url):
    response = alice_client.post(
        url("assign", world.tenant_a, operator_slug="operator-o"), _assign_data()
    )
    assert response.status_code == 200
    assert "already one of your operators" in response.context["form"].non_field_errors()[0]


def test_assign_while_operator_connect_is_off_says_nothing_is_shared_yet(world, login, url):
    client = login(world.bob)
    response = client.post(
        url("assign", world.tenant_b, operator_slug="operator-u"), _assign_data(), follow=True
    )
    assert "Nothing is shared until you enable Operator Connect." in messages_of(response)[0]
