"""Dependencies shared by the routers, as `Annotated` aliases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, status
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.db import declare_writes, forget_writes_declared, get_session
from app.core.i18n import choose_language
from app.models import Workshop
from app.schemas.registration_fields import LIST_FIELDS
from app.services import workshops
from app.services.registration.writer import RegistrationWriter, get_registration_writer
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


def write_session(session: SessionDep) -> Iterator[Session]:
    """Yield the request's session, declared as one that writes.

    On SQLite this takes the write lock before the endpoint runs (in a worker thread, as
    it may wait), so concurrent writers queue instead of failing; on PostgreSQL it changes
    nothing. Endpoints that change data take `WriteSessionDep` instead of `SessionDep`;
    only an endpoint that must do a slow check first (sign-in's password) takes the lock
    itself, with `begin_write`, after the check.
    """
    declare_writes(session)
    try:
        yield session
    finally:
        forget_writes_declared(session)


WriteSessionDep = Annotated[Session, Depends(write_session, scope="function")]
NowDep = Annotated[dt.datetime, Depends(request_time)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
LanguageDep = Annotated[Language, Depends(page_language)]
RegistrationWriterDep = Annotated[RegistrationWriter, Depends(get_registration_writer)]
# Ids in paths stay within what both databases' integer columns hold.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


async def read_form(request: Request) -> FormData:
    """Return the request's form fields."""
    return await request.form()


FormDataDep = Annotated[FormData, Depends(read_form)]


def registration_answers(form: FormData, fields: Iterable[str]) -> dict[str, Any]:
    """Return a registration form's answers: a list for each checkbox field, else text.

    A file sent in place of text counts as a blank answer.
    """
    answers: dict[str, Any] = {}
    for field in fields:
        value = form.getlist(field) if field in LIST_FIELDS else form.get(field, "")
        answers[field] = value if isinstance(value, list | str) else ""
    return answers


def workshop_or_404(session: Session, workshop_id: int) -> Workshop:
    """Return the workshop, or answer 404 for an id that names none."""
    try:
        return workshops.get_workshop(session=session, workshop_id=workshop_id)
    except workshops.WorkshopNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No workshop has this id.") from None
