"""The public form, as a person using it in a browser without JavaScript would see it."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Registration
from tests.conftest import Clock, count_rows
from tests.factories import form_fields


class FormReader(HTMLParser):
    """Collect the form's fields and values, and the page's language, as a browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.fields: dict[str, list[str]] = {}
        self.checked: dict[str, list[str]] = {}
        self.textareas: dict[str, str] = {}
        self.selected: dict[str, str] = {}
        self.summary_links: list[str] = []
        self._textarea: str | None = None
        self._select: str | None = None
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "div" and a.get("id") == "error-summary":
            self._in_summary = True
        if tag == "a" and self._in_summary:
            self.summary_links.append(a["href"])
        if tag == "input" and "name" in a:
            self.fields.setdefault(a["name"], []).append(a.get("value", ""))
            if "checked" in a:
                self.checked.setdefault(a["name"], []).append(a["value"])
        if tag == "textarea":
            self._textarea = a["name"]
            self.textareas[a["name"]] = ""
        if tag == "select":
            self._select = a["name"]
        if tag == "option" and "selected" in a and self._select:
            self.selected[self._select] = a["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "div":
            self._in_summary = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.textareas[self._textarea] += data


def read(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def test_form_is_in_malay_by_default_and_shows_the_deadline(client: TestClient) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert read(page.text).lang == "ms"
    assert "20 Oktober 2022, 11:59 malam waktu Malaysia (UTC+8)" in page.text
    assert "Akta Perlindungan Data Peribadi 2010" in page.text
    assert "Personal Data Protection Act 2010" in page.text


def test_form_has_every_field_of_the_api(client: TestClient) -> None:
    reader = read(client.get("/").text)
    names = set(reader.fields) | set(reader.textareas) | {"state"}

    assert set(form_fields()) - {"consent_share_partners"} <= names | {"consent_share_partners"}
    assert {
        "organisation_name",
        "category",
        "category_other",
        "registration_number",
        "address",
        "postcode",
        "state",
        "website",
        "contact_name",
        "contact_designation",
        "contact_email",
        "contact_phone",
        "pillars",
        "focus_areas",
        "interest_statement",
        "workshop_attendees",
        "preferred_language",
        "consent_pdpa",
        "consent_share_partners",
    } <= names


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"params": {"lang": "en"}}, "en"),
        ({"headers": {"Accept-Language": "en-GB,en;q=0.9"}}, "en"),
        ({"headers": {"Accept-Language": "ms-MY,ms;q=0.9,en;q=0.5"}}, "ms"),
        ({"headers": {"Accept-Language": "zh-CN"}}, "ms"),
    ],
)
def test_language_on_request(client: TestClient, how: dict, expected: str) -> None:
    page = client.get("/", **how)

    assert read(page.text).lang == expected


@pytest.mark.parametrize(
    ("lang", "words"),
    [("ms", "daftar minat anda untuk menyertai Alliance 8.7"),
     ("en", "register your interest in joining Alliance 8.7")],
)
def test_search_engines_get_a_description_in_the_page_s_language(
    client: TestClient, clock: Clock, lang: str, words: str
) -> None:
    # The form, then the closed notice.
    for day in (dt.date(2022, 10, 15), dt.date(2022, 11, 1)):
        clock.set(dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC))
        page = client.get("/", params={"lang": lang})
        found = re.search(r'<meta name="description" content="([^"]+)">', page.text)
        assert found and words in found.group(1)


def test_language_choice_is_remembered(client: TestClient) -> None:
    client.get("/", params={"lang": "en"})

    page = client.get("/")

    assert read(page.text).lang == "en"
    assert "20 October 2022, 11:59 pm Malaysia time (UTC+8)" in page.text


def test_successful_form_redirects_to_a_confirmation_with_the_reference(
    client: TestClient, session: Session
) -> None:
    response = client.post("/", data=form_fields(), follow_redirects=False)

    assert response.status_code == 303
    confirmation = client.get(response.headers["location"])
    reference = session.scalars(select(Registration.reference)).one()
    assert reference in confirmation.text
    assert "November 2022" in confirmation.text
    assert "alliance8.7@mohr.gov.my" in confirmation.text


def test_errors_are_summarised_shown_at_each_field_and_keep_what_was_typed(
    client: TestClient, session: Session
) -> None:
    typed = form_fields(
        contact_email="aisyah@",
        postcode="123",
        organisation_name="Tenaganita",
        interest_statement="Kami <b>membantu</b> pekerja\nmigran.",
    )
    del typed["pillars"]

    response = client.post("/", data=typed)

    assert response.status_code == 422
    reader = read(response.text)
    assert reader.summary_links == ["#postcode", "#contact_email", "#pillars"]
    assert re.search(
        r'id="contact_email-error">.*Masukkan alamat emel dalam format yang betul', response.text
    )
    assert 'id="postcode-error"' in response.text
    assert reader.fields["organisation_name"] == ["Tenaganita"]
    assert reader.fields["contact_email"] == ["aisyah@"]
    assert reader.textareas["interest_statement"] == "Kami <b>membantu</b> pekerja\nmigran."
    assert reader.checked["category"] == ["cso"]
    assert reader.checked["focus_areas"] == ["labour_migration"]
    assert reader.selected["state"] == "wp_kuala_lumpur"
    assert count_rows(session, "registration") == 0


def test_errors_are_in_english_on_the_english_form(client: TestClient) -> None:
    client.get("/", params={"lang": "en"})

    response = client.post("/", data=form_fields(contact_email="nope"))

    assert "Enter an email address in the correct format" in response.text


def test_double_click_submits_once(client: TestClient, session: Session) -> None:
    token = read(client.get("/").text).fields["form_token"][0]
    fields = form_fields() | {"form_token": token}

    first = client.post("/", data=fields, follow_redirects=False)
    second = client.post("/", data=fields, follow_redirects=False)

    assert first.status_code == second.status_code == 303
    assert count_rows(session, "registration") == 1
    reference = session.scalars(select(Registration.reference)).one()
    assert reference in client.get(second.headers["location"]).text


def test_duplicate_from_the_form_is_explained_at_the_field(
    client: TestClient, session: Session
) -> None:
    fields = form_fields()
    client.post("/", data=fields)

    again = client.post(
        "/", data=fields | {"organisation_name": fields["organisation_name"].upper()}
    )

    assert again.status_code == 409
    assert read(again.text).summary_links == ["#organisation_name"]
    assert count_rows(session, "registration") == 1


def test_hostile_text_is_shown_as_text(client: TestClient) -> None:
    hostile = '"><script>alert(1)</script>'

    response = client.post("/", data=form_fields(organisation_name=hostile, contact_email="x"))

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_confirmation_link_cannot_be_forged(client: TestClient) -> None:
    assert client.get("/confirmation/ABCDEFGH").status_code == 404


def test_every_form_field_has_a_label(client: TestClient) -> None:
    html = client.get("/").text
    ids = set(re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))

    assert ids and ids <= labelled


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, {}),
        ("forged-token", {}),
        ("valid", {"Origin": "https://evil.example"}),
        ("valid", {"Sec-Fetch-Site": "cross-site"}),
    ],
)
def test_forged_form_posts_are_refused_and_store_nothing(
    client: TestClient, session: Session, token: str | None, headers: dict[str, str]
) -> None:
    fields = form_fields()
    if token is None:
        del fields["form_token"]
    elif token != "valid":
        fields["form_token"] = token

    response = client.post("/", data=fields, headers=headers)

    assert response.status_code == 403
    assert read(response.text).fields["organisation_name"] == [fields["organisation_name"]]
    assert count_rows(session, "registration") == 0


def test_same_origin_post_from_a_browser_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/",
        data=form_fields(),
        follow_redirects=False,
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )

    assert response.status_code == 303


def test_each_load_of_the_form_gets_its_own_token(client: TestClient) -> None:
    first, second = (read(client.get("/").text).fields["form_token"][0] for _ in range(2))

    assert first != second
    assert "__FORM_TOKEN__" not in first + second


def test_a_program_that_fills_the_hidden_field_is_turned_away(
    client: TestClient, session: Session
) -> None:
    page = client.get("/").text
    assert 'name="contact_fax"' in page and 'class="honeypot"' in page

    response = client.post("/", data=form_fields() | {"contact_fax": "+60 3 1234 5678"})

    assert response.status_code == 422
    assert count_rows(session, "registration") == 0


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({"Origin": "null"}, True),  # Safari before 16.4: no Sec-Fetch-Site; the token decides
        ({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, True),
        ({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, False),
    ],
)
def test_a_null_origin_is_judged_by_fetch_metadata_and_the_token(
    client: TestClient, headers: dict[str, str], accepted: bool
) -> None:
    response = client.post("/", data=form_fields(), headers=headers, follow_redirects=False)

    assert response.status_code == (303 if accepted else 403)
