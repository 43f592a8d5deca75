"""Dependencies shared by the routers, as `Annotated` aliases."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.db import get_session
from app.core.i18n import choose_language
from app.vocab import Language

LANGUAGE_COOKIE = "lang"


# The small dependencies are async: FastAPI runs a plain `def` dependency in the thread
# pool, and each such hand-off costs more than the work itself.
async def request_time() -> dt.datetime:
    """Return the instant the request arrived; tests override this to move the clock."""
    return utcnow()


async def page_language(request: Request) -> Language:
    """Return the language to show: ?lang=, then the remembered choice, then the browser's."""
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )


# scope="function": the commit happens before the response is sent, so an answer that
# says "stored" is never sent for a transaction that could still fail.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
NowDep = Annotated[dt.datetime, Depends(request_time)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LanguageDep = Annotated[Language, Depends(page_language)]
