"""Jinja2 for pages and emails, with gettext in the language being shown."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from starlette.templating import Jinja2Templates

from app import vocab
from app.core.config import ENQUIRIES_EMAIL
from app.core.i18n import format_malaysian_time, translations

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


def _environment(*, autoescape: bool) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=autoescape,  # noqa: S701 - off only for plain text (text_environment)
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a deploy, which restarts the process.
        auto_reload=False,
    )
    env.globals.update(vocab=vocab, label=vocab.label, enquiries_email=ENQUIRIES_EMAIL)
    env.filters["malaysian_time"] = format_malaysian_time
    return env


# Two environments, chosen by what is made, not by the file's name: a template escapes what
# it prints when it is rendered into HTML, and so does every file it includes or imports,
# whatever that file is called. (Escaping chosen by file name once let an included ".txt"
# print a registrant's markup into a mail's HTML part.)
@lru_cache
def environment() -> Environment:
    """Return the environment for HTML (pages, mails' HTML parts, printouts): all escaped."""
    return _environment(autoescape=True)


@lru_cache
def text_environment() -> Environment:
    """Return the environment for plain text (mails' text parts and subjects): none escaped."""
    return _environment(autoescape=False)


def language_context(language: str) -> dict[str, Any]:
    """Return the gettext callables and helpers for rendering in `language`."""
    catalog = translations(language)
    return {
        "lang": language,
        "_": catalog.gettext,
        "gettext": catalog.gettext,
        "ngettext": catalog.ngettext,
    }


@lru_cache
def page_templates() -> Jinja2Templates:
    """Return Starlette's template renderer on the shared environment."""
    return Jinja2Templates(env=environment())


def render_subject(kind: str, language: str, context: dict[str, Any]) -> str:
    """Render one email's subject, on one line."""
    full = {**context, **language_context(language)}
    subject = text_environment().get_template(f"email/{kind}.subject.txt").render(full)
    return " ".join(subject.split())


def render_bodies(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render the plain-text and HTML parts of one email."""
    full = {**context, **language_context(language)}
    body_text = text_environment().get_template(f"email/{kind}.txt").render(full)
    body_html = environment().get_template(f"email/{kind}.html").render(full)
    return body_text, body_html
