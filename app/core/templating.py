"""Jinja2 for pages and emails, with gettext in the language being shown."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from app import vocab
from app.core.config import ENQUIRIES_EMAIL
from app.core.i18n import format_malaysian_time, translations

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"


@lru_cache
def environment() -> Environment:
    """Return the one Jinja environment; autoescaping on for HTML, also in emails."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a deploy, which restarts the process.
        auto_reload=False,
    )
    env.globals.update(vocab=vocab, label=vocab.label, enquiries_email=ENQUIRIES_EMAIL)
    env.filters["malaysian_time"] = format_malaysian_time
    return env


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
    subject = environment().get_template(f"email/{kind}.subject.txt").render(full)
    return " ".join(subject.split())


def render_bodies(kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """Render the plain-text and HTML parts of one email."""
    env = environment()
    full = {**context, **language_context(language)}
    body_text = env.get_template(f"email/{kind}.txt").render(full)
    body_html = env.get_template(f"email/{kind}.html").render(full)
    return body_text, body_html
