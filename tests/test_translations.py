"""Every string a person sees is in the catalogs, and the Malay catalog translates all of them.

The strings are extracted the way `pybabel extract -F babel.cfg -k _ -k N_` would, from app/
and templates/, and compared with translations/ms/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
MALAY_CATALOG = ROOT / "translations" / "ms" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
SOURCE_DIRS = ("app", "templates")


def extracted_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Return each msgid found in app/ and templates/, with the places it is used."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, str(ROOT / "babel.cfg"))
    found: dict[str | tuple[str, ...], list[str]] = {}

    def only_sources(path: str) -> bool:
        relative = Path(path).relative_to(ROOT).parts
        return not relative or relative[0] in SOURCE_DIRS

    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=only_sources,
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def malay_catalog() -> Catalog:
    with MALAY_CATALOG.open("rb") as po_file:
        return read_po(po_file, locale="ms")


def _msgid(message: str | tuple[str, ...]) -> str:
    return message[0] if isinstance(message, tuple) else message


def _describe(problems: dict[str | tuple[str, ...], list[str]]) -> str:
    return "\n".join(f"  {_msgid(message)!r}  ({', '.join(places[:3])})"
                     for message, places in sorted(problems.items(), key=lambda i: _msgid(i[0])))


def test_strings_are_found() -> None:
    messages = extracted_messages()

    assert "Submit registration" in messages
    assert any(place.startswith("app/") for places in messages.values() for place in places), \
        "no N_() strings found in app/: is babel.cfg still read?"


def test_every_string_has_a_malay_translation() -> None:
    catalog = malay_catalog()
    missing: dict[str | tuple[str, ...], list[str]] = {}
    untranslated: dict[str | tuple[str, ...], list[str]] = {}
    fuzzy: dict[str | tuple[str, ...], list[str]] = {}

    for message, places in extracted_messages().items():
        entry = catalog.get(_msgid(message))
        if entry is None:
            missing[message] = places
        elif entry.fuzzy:
            fuzzy[message] = places
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            untranslated[message] = places

    report = []
    if missing:
        report.append(f"{len(missing)} strings are not in {MALAY_CATALOG.relative_to(ROOT)}:\n"
                      + _describe(missing))
    if untranslated:
        report.append(f"{len(untranslated)} strings have no Malay translation:\n"
                      + _describe(untranslated))
    if fuzzy:
        report.append(f"{len(fuzzy)} translations are marked fuzzy (to be checked):\n"
                      + _describe(fuzzy))
    assert not report, "\n".join(report)


def _msgids_as_written(po_text: str) -> list[str]:
    """Return every msgid in the .po file as written, repeats included (read_po merges them)."""
    msgids: list[str] = []
    current: list[str] | None = None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            current = [line[len("msgid "):]]
            msgids.append("")
        elif current is not None and line.startswith('"'):
            current.append(line)
        else:
            current = None
        if current is not None:
            msgids[-1] = "".join(part.strip()[1:-1] for part in current)
    return [msgid for msgid in msgids if msgid]  # the header's msgid is empty


def test_catalog_has_no_duplicates_and_placeholders_match() -> None:
    msgids = _msgids_as_written(MALAY_CATALOG.read_text(encoding="utf-8"))
    duplicates = sorted({msgid for msgid in msgids if msgids.count(msgid) > 1})
    assert len(msgids) > 100
    assert duplicates == [], f"msgids defined more than once: {duplicates}"

    problems = [f"{_msgid(message.id)!r}: {'; '.join(str(e) for e in errors)}"
                for message, errors in malay_catalog().check()]
    assert problems == [], "\n".join(problems)


class _VisibleText(HTMLParser):
    """Collect the text a person would read, and attributes that are read out."""

    READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        self.text.extend(value or "" for name, value in attrs if name in self.READ_ATTRIBUTES)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


# Words that are the same in both languages, or are names.
SAME_IN_BOTH = re.compile(
    r"Alliance 8\.7( Malaysia)?|English|Bahasa Melayu|SDG|CSV|XLSX|PDF|API|UTC\+8|"
    r"[A-Z]{2,}(?: \d[\d.]*)?|https?://\S+|\S+@\S+|"
    r'[\w-]+="[^"]*"'  # an attribute written by a macro, outside any tag
)
# Shown in Malay and English side by side, on purpose (SPEC: a notice in both languages).
BILINGUAL_TEMPLATES = {"_pdpa_notice.html"}


def _template_literal_text(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"{#.*?#}", " ", source, flags=re.DOTALL)
    source = re.sub(r"{%.*?%}|{{.*?}}", " ", source, flags=re.DOTALL)
    if path.suffix == ".html":
        reader = _VisibleText()
        reader.feed(source)
        chunks = reader.text
    else:
        chunks = [source]
    for chunk in chunks:
        remainder = SAME_IN_BOTH.sub(" ", chunk)
        if re.search(r"[A-Za-z]{2,}", remainder):
            yield " ".join(chunk.split())


def test_templates_show_no_text_outside_the_catalogs() -> None:
    """Literal words in a template would be shown in one language only."""
    found = {}
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt") and path.name not in BILINGUAL_TEMPLATES:
            literal = list(_template_literal_text(path))
            if literal:
                found[str(path.relative_to(ROOT))] = literal
    assert found == {}, "text outside _(): " + "\n".join(
        f"  {name}: {texts}" for name, texts in found.items())


class _FormFields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.fields: set[tuple[str, str, str]] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag in ("input", "select", "textarea") and "name" in a:
            value = a.get("value", "") if a.get("type") in ("radio", "checkbox") else ""
            self.fields.add((tag, a["name"], value))


def _fields(html: str) -> _FormFields:
    reader = _FormFields()
    reader.feed(html)
    return reader


@pytest.mark.parametrize("post", [False, True], ids=["empty form", "form with errors"])
def test_malay_and_english_forms_ask_the_same_questions(client: TestClient, post: bool) -> None:
    def page(lang: str) -> _FormFields:
        if post:
            return _fields(client.post(f"/?lang={lang}", data={"organisation_name": "x"}).text)
        return _fields(client.get("/", params={"lang": lang}).text)

    malay, english = page("ms"), page("en")

    assert (malay.lang, english.lang) == ("ms", "en")
    assert malay.fields == english.fields
    assert {name for _tag, name, _value in malay.fields} >= {
        "organisation_name", "category", "contact_email", "pillars", "consent_pdpa"}
