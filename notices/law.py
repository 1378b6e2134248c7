"""The GDPR Art. 13/14 part of the notice: legal basis, retention, rights, complaint, transfers,
source (docs/notice.md "A complete notice", UK ICO checklist).

``privacy_configuration`` resolves the tenant's inputs (``NoticeSettings``) and the defaults of
its country into plain values stored with each version. ``privacy_context`` turns them into
sentences in the active language when a version is rendered. ``privacy_problems`` says what
still blocks publishing.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries as all_countries

from notices.choices import LegalBasis
from notices.wording import CATEGORIES, country_names, join_words
from portal.choices import TransferMechanism
from portal.privacy_law import EEA, authority_for, outside_eea
from portal.retention_policy import MAX_DAYS, MIN_DAYS, call_record_retention_days

DEFAULT_NUMBERS_DAYS = 90
DEFAULT_LOCATIONS_DAYS = 90
MAX_OTHER_DAYS = 3650

RIGHTS = [
    {
        "key": "access",
        "title": gettext_lazy("Access"),
        "text": gettext_lazy("You can ask for a copy of the information held about you."),
    },
    {
        "key": "rectification",
        "title": gettext_lazy("Rectification"),
        "text": gettext_lazy("You can have wrong or incomplete information corrected."),
    },
    {
        "key": "erasure",
        "title": gettext_lazy("Erasure"),
        "text": gettext_lazy(
            "You can ask for your information to be deleted when it is no longer needed."
        ),
    },
    {
        "key": "restriction",
        "title": gettext_lazy("Restriction"),
        "text": gettext_lazy(
            "You can ask for the use of your information to be limited while a question about "
            "it is settled."
        ),
    },
    {
        "key": "objection",
        "title": gettext_lazy("Objection"),
        "text": gettext_lazy(
            "You can object to the use of your information based on legitimate interests, on "
            "grounds relating to your situation."
        ),
    },
]

MECHANISMS: dict[str, Promise] = {
    TransferMechanism.ADEQUACY: gettext_lazy("an adequacy decision of the European Commission"),
    TransferMechanism.SCC: gettext_lazy(
        "standard contractual clauses approved by the European Commission"
    ),
    TransferMechanism.BCR: gettext_lazy(
        "binding corporate rules approved by a data protection authority"
    ),
    TransferMechanism.DPF: gettext_lazy("the EU-US Data Privacy Framework"),
}


def law_of(country: str) -> str:
    """Which law the notice cites: ``uk_gdpr`` (GB), ``fadp`` (CH), else ``gdpr``."""
    return {"GB": "uk_gdpr", "CH": "fadp"}.get(country, "gdpr")


def default_legal_basis(country: str) -> str:
    """The default basis: legitimate interests (a working phone service), in every country."""
    return LegalBasis.LEGITIMATE_INTERESTS


def privacy_configuration(tenant, notice_settings) -> dict:
    """The tenant's Art. 13/14 inputs with its country's defaults filled in (JSON-ready)."""
    country = str(tenant.country).upper()
    s = notice_settings
    authority = None
    if s is not None and s.authority_name and s.authority_url:
        authority = {"name": s.authority_name.strip(), "url": s.authority_url.strip()}
    elif (known := authority_for(country)) is not None:
        authority = {"name": known.name, "url": known.url}
    return {
        "country": country,
        "law": law_of(country),
        "legal_basis": (s.legal_basis if s and s.legal_basis else default_legal_basis(country)),
        "retention_days": {
            "numbers": (s.numbers_retention_days if s and s.numbers_retention_days else None)
            or DEFAULT_NUMBERS_DAYS,
            "call_details": call_record_retention_days(tenant),
            "emergency_location": (
                s.locations_retention_days if s and s.locations_retention_days else None
            )
            or DEFAULT_LOCATIONS_DAYS,
        },
        "dpo": {
            "name": (s.dpo_name if s else "").strip(),
            "email": (s.dpo_email if s else "").strip(),
        },
        "authority": authority,
        "source": "microsoft",
    }


def operator_transfer(operator) -> dict:
    """The operator directory's transfer facts, as stored in a notice configuration."""
    return {
        "processing_countries": operator.processing_codes,
        "transfer_mechanism": operator.transfer_mechanism or "",
    }


def privacy_problems(config: dict) -> list[str]:
    """What blocks publishing in the Art. 13/14 part (empty when nothing does)."""
    problems = []
    privacy = config.get("privacy") or {}
    if privacy.get("legal_basis") not in LegalBasis.values:
        problems.append("Choose the legal basis in the notice settings.")
    days = privacy.get("retention_days") or {}
    if not MIN_DAYS <= days.get("call_details", 0) <= MAX_DAYS:
        problems.append(f"Call records must be kept between {MIN_DAYS} and {MAX_DAYS} days.")
    for key in ("numbers", "emergency_location"):
        if not 1 <= days.get(key, 0) <= MAX_OTHER_DAYS:
            problems.append("Enter how many days numbers and emergency locations are kept.")
            break
    if not privacy.get("authority"):
        name = all_countries.name(privacy.get("country", "")) or privacy.get("country", "")
        problems.append(
            f"No data protection authority is on file for {name}: enter the one your users can "
            "complain to in the notice settings."
        )
    for op in config.get("operators", []):
        abroad = outside_eea(op.get("processing_countries", []))
        if abroad and not op.get("transfer_mechanism"):
            problems.append(
                f"{op['name']} processes data outside the EEA ({', '.join(abroad)}) and the "
                "directory names no safeguard. Platform staff must record it before you can "
                "publish."
            )
    return problems


_LAWS = {
    "gdpr": gettext_lazy("GDPR"),
    "uk_gdpr": gettext_lazy("UK GDPR"),
    "fadp": gettext_lazy("Swiss Federal Act on Data Protection"),
}


def _legal_reference(basis: str, law: str) -> str:
    if law == "fadp":
        return _("Art. 31(1) %(law)s") % {"law": _LAWS[law]}
    articles: dict[str, str] = {
        LegalBasis.LEGITIMATE_INTERESTS: _("Art. 6(1)(f) %(law)s"),
        LegalBasis.CONTRACT: _("Art. 6(1)(b) %(law)s"),
        LegalBasis.LEGAL_OBLIGATION: _("Art. 6(1)(c) %(law)s"),
    }
    return articles[basis] % {"law": _LAWS[law]}


def _legal_basis_text(basis: str, org: str, reference: str) -> str:
    values = {"org": org, "reference": reference}
    if basis == LegalBasis.CONTRACT:
        return (
            _(
                "%(org)s has the information shared because it is needed to provide the "
                "telephone service it offers you under its contract with you (%(reference)s)."
            )
            % values
        )
    if basis == LegalBasis.LEGAL_OBLIGATION:
        return (
            _(
                "%(org)s has the information shared because the law requires it, for example "
                "so that emergency calls can be routed and located (%(reference)s)."
            )
            % values
        )
    return (
        _(
            "%(org)s has the information shared on the basis of its legitimate interests: "
            "giving its people a working telephone service, including emergency calling, and "
            "fixing faults with it (%(reference)s)."
        )
        % values
    )


def _retention(days: dict) -> list[dict]:
    texts = {
        "numbers": _(
            "Kept while the number is assigned to you and for %(days)s days after it is released."
        ),
        "call_details": _("Kept for %(days)s days after the call, then deleted."),
        "emergency_location": _(
            "Kept while the address is used for emergency calls and for %(days)s days after."
        ),
    }
    return [
        {
            "key": c["key"],
            "title": str(c["title"]),
            "days": days.get(c["key"]),
            "text": texts[c["key"]] % {"days": days.get(c["key"])},
        }
        for c in CATEGORIES
    ]


def _transfer(op: dict) -> dict:
    codes = op.get("processing_countries") or []
    abroad = outside_eea(codes)
    names = join_words(country_names(codes))
    mechanism = op.get("transfer_mechanism") or ""
    if not codes:
        text = _(
            "%(operator)s has not stated where it processes your information; its privacy "
            "policy says more."
        ) % {"operator": op["name"]}
    elif abroad:
        text = _(
            "%(operator)s processes your information in %(countries)s. Transfers outside the "
            "European Economic Area are protected by %(safeguard)s."
        ) % {
            "operator": op["name"],
            "countries": names,
            "safeguard": MECHANISMS.get(mechanism, "—"),
        }
    else:
        text = _(
            "%(operator)s processes your information in %(countries)s, inside the European "
            "Economic Area."
        ) % {"operator": op["name"], "countries": names}
    return {
        "operator": op["name"],
        "countries": codes,
        "outside_eea": abroad,
        "mechanism": mechanism if abroad else "",
        "text": text,
    }


def privacy_context(config: dict) -> dict:
    """Sentences of the Art. 13/14 part in the active language (also the JSON's texts)."""
    privacy = config.get("privacy") or {}
    org = config.get("organization", "")
    law = privacy.get("law", "gdpr")
    basis = privacy.get("legal_basis", LegalBasis.LEGITIMATE_INTERESTS)
    reference = _legal_reference(basis, law)
    authority = privacy.get("authority")
    operators = config.get("operators", []) if config.get("enabled") else []
    return {
        "legal_basis": {
            "key": basis,
            "reference": reference,
            "text": _legal_basis_text(basis, org, reference),
        },
        "retention": _retention(privacy.get("retention_days") or {}),
        "retention_operators": _(
            "Each operator keeps the information it receives for as long as its own privacy "
            "policy states."
        ),
        "rights": [
            {"key": r["key"], "title": str(r["title"]), "text": str(r["text"])} for r in RIGHTS
        ],
        "rights_how": _(
            "To use any of these rights, contact %(org)s (see “Whom to contact”). It costs "
            "nothing, and you will get an answer within one month. You can also contact "
            "Microsoft or an operator directly about its own processing."
        )
        % {"org": org},
        "dpo": privacy.get("dpo") or {},
        "complaint": {
            "text": _(
                "You have the right to complain to a data protection authority, in particular "
                "in the country where you live or work or where you think the law was broken. "
                "The authority for %(org)s is:"
            )
            % {"org": org},
            "authority": authority,
        },
        "transfers": [_transfer(op) for op in operators],
        "transfers_none": _("No operator receives your information at the moment."),
        "transfers_microsoft": _(
            "Microsoft's own processing, including its transfers, is described in its privacy "
            "statement."
        ),
        "source": _(
            "Operators do not collect this information from you. Microsoft creates it when you "
            "make or receive calls in Microsoft Teams, takes your number and emergency address "
            "from the settings %(org)s keeps in Microsoft Teams, and shares it with the "
            "operators."
        )
        % {"org": org},
        "in_eea": privacy.get("country") in EEA,
    }
