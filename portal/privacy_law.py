"""Facts of data-protection law the notice and the record of processing state (docs/notice.md).

A maintained list, kept in code so a change is reviewed and versioned like any other: the
countries of the European Economic Area, and the supervisory authority of each EEA country, the
United Kingdom and Switzerland (name as the authority calls itself, and its web site). Checked
against the EDPB's list of members (edpb.europa.eu/about-edpb/about-edpb/members_en), the ICO
and the FDPIC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
EEA = EU | {"IS", "LI", "NO"}


@dataclass(frozen=True)
class Authority:
    name: str
    url: str


SUPERVISORY_AUTHORITIES: dict[str, Authority] = {
    "AT": Authority("Österreichische Datenschutzbehörde", "https://www.dsb.gv.at/"),
    "BE": Authority(
        "Autorité de protection des données / Gegevensbeschermingsautoriteit",
        "https://www.dataprotectionauthority.be/",
    ),
    "BG": Authority("Комисия за защита на личните данни", "https://www.cpdp.bg/"),
    "CY": Authority(
        "Επίτροπος Προστασίας Δεδομένων Προσωπικού Χαρακτήρα",
        "https://www.dataprotection.gov.cy/",
    ),
    "CZ": Authority("Úřad pro ochranu osobních údajů", "https://uoou.gov.cz/"),
    "DE": Authority(
        "Die Bundesbeauftragte für den Datenschutz und die Informationsfreiheit (BfDI)",
        "https://www.bfdi.bund.de/",
    ),
    "DK": Authority("Datatilsynet", "https://www.datatilsynet.dk/"),
    "EE": Authority("Andmekaitse Inspektsioon", "https://www.aki.ee/"),
    "ES": Authority("Agencia Española de Protección de Datos (AEPD)", "https://www.aepd.es/"),
    "FI": Authority("Tietosuojavaltuutetun toimisto", "https://tietosuoja.fi/"),
    "FR": Authority(
        "Commission nationale de l'informatique et des libertés (CNIL)", "https://www.cnil.fr/"
    ),
    "GR": Authority("Αρχή Προστασίας Δεδομένων Προσωπικού Χαρακτήρα", "https://www.dpa.gr/"),
    "HR": Authority("Agencija za zaštitu osobnih podataka (AZOP)", "https://azop.hr/"),
    "HU": Authority(
        "Nemzeti Adatvédelmi és Információszabadság Hatóság (NAIH)", "https://naih.hu/"
    ),
    "IE": Authority("Data Protection Commission", "https://www.dataprotection.ie/"),
    "IS": Authority("Persónuvernd", "https://www.personuvernd.is/"),
    "IT": Authority(
        "Garante per la protezione dei dati personali", "https://www.garanteprivacy.it/"
    ),
    "LI": Authority("Datenschutzstelle Liechtenstein", "https://www.datenschutzstelle.li/"),
    "LT": Authority("Valstybinė duomenų apsaugos inspekcija", "https://vdai.lrv.lt/"),
    "LU": Authority(
        "Commission nationale pour la protection des données (CNPD)", "https://cnpd.public.lu/"
    ),
    "LV": Authority("Datu valsts inspekcija", "https://www.dvi.gov.lv/"),
    "MT": Authority("Information and Data Protection Commissioner", "https://idpc.org.mt/"),
    "NL": Authority("Autoriteit Persoonsgegevens", "https://autoriteitpersoonsgegevens.nl/"),
    "NO": Authority("Datatilsynet", "https://www.datatilsynet.no/"),
    "PL": Authority("Urząd Ochrony Danych Osobowych (UODO)", "https://uodo.gov.pl/"),
    "PT": Authority("Comissão Nacional de Proteção de Dados (CNPD)", "https://www.cnpd.pt/"),
    "RO": Authority(
        "Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal "
        "(ANSPDCP)",
        "https://www.dataprotection.ro/",
    ),
    "SE": Authority("Integritetsskyddsmyndigheten (IMY)", "https://www.imy.se/"),
    "SI": Authority("Informacijski pooblaščenec", "https://www.ip-rs.si/"),
    "SK": Authority(
        "Úrad na ochranu osobných údajov Slovenskej republiky", "https://dataprotection.gov.sk/"
    ),
    "GB": Authority("Information Commissioner's Office (ICO)", "https://ico.org.uk/"),
    "CH": Authority(
        "Eidgenössischer Datenschutz- und Öffentlichkeitsbeauftragter (EDÖB)",
        "https://www.edoeb.admin.ch/",
    ),
}


def authority_for(country: str | None) -> Authority | None:
    """The supervisory authority of ``country`` (EEA, GB, CH), or None if we keep none."""
    return SUPERVISORY_AUTHORITIES.get(str(country or "").upper())


def outside_eea(codes: Iterable[str]) -> list[str]:
    """The codes of ``codes`` outside the European Economic Area, sorted."""
    return sorted({str(c).upper() for c in codes} - EEA)
