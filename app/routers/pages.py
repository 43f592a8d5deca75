"""Rendering a page for any audience: the template in the page's language, the choice kept."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.core.templating import language_context, page_templates
from app.deps import LANGUAGE_COOKIE

LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600


def remember_language(request: Request, response: Response, language: str) -> None:
    """Keep a language chosen with ?lang= in a cookie, for the pages that follow."""
    if request.query_params.get("lang") == language:
        response.set_cookie(
            LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_MAX_AGE, samesite="lax"
        )


def render_page(
    request: Request, template: str, language: str, status_code: int = 200, **context: Any
) -> Response:
    """Render `template` in `language`, remembering a language chosen with ?lang=."""
    response = page_templates().TemplateResponse(
        request, template, {**language_context(language), **context}, status_code=status_code
    )
    remember_language(request, response, language)
    return response
