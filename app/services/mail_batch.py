"""Rendering a claimed batch of mail, one message at a time, in a read of its own.

The worker renders each message while the server takes the one before it, and records
outcomes in between; so the reading has its own session, which never writes, and the
batch's registrations are loaded into it by one query.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.outage import database_outage
from app.models import OutboxMail, Registration
from app.services import link_request, reply_digest, workshop_mail
from app.services.announcement_mail import ANNOUNCEMENT_KINDS, render_announcement
from app.services.mail_content import (
    REGISTRATION_KINDS,
    MailCannotBeRendered,
    RenderedMail,
    render_mail,
)


class Renderer(Protocol):
    def __call__(self, *, session: Session, mail: OutboxMail) -> RenderedMail: ...


# Every kind of mail there is, with what renders it (the tests render each one with
# hostile values). A row of any other kind is never sent: it fails, saying so. The roadmap's
# report mails are added by `app.roadmap.progress.report_mail` (a higher layer), when `app.roadmap`
# is imported, as the app and the `alliance87` command both do.
RENDERERS: dict[str, Renderer] = {
    **dict.fromkeys(REGISTRATION_KINDS, render_mail),
    **dict.fromkeys(ANNOUNCEMENT_KINDS, render_announcement),
    **dict.fromkeys(workshop_mail.KINDS, workshop_mail.render),
    reply_digest.KIND: reply_digest.render,
    link_request.KIND: link_request.render,
}


def render_one(session: Session, mail: OutboxMail) -> RenderedMail | MailCannotBeRendered:
    """Return what to send for a mail, rendered now by the renderer of its kind."""
    renderer = RENDERERS.get(mail.kind)
    try:
        if renderer is None:
            raise MailCannotBeRendered(f"mail {mail.id}: there is no kind of mail {mail.kind!r}")
        return renderer(session=session, mail=mail)
    except MailCannotBeRendered as error:
        return error


class BatchReader:
    """A read-only session for one batch; `render(mail)` renders one of the batch's mails."""

    def __init__(self, writing: Session, mails: list[OutboxMail]) -> None:
        self.session = Session(bind=writing.get_bind())
        self._registration_ids = {
            mail.registration_id for mail in mails if mail.registration_id is not None}
        self._loaded: list[Registration] | None = None
        self._outages = database_outage.outages

    def render(self, mail: OutboxMail) -> RenderedMail | MailCannotBeRendered:
        if self._outages != database_outage.outages:
            # The database went away (and the outcomes' session waited for it) since this
            # read began: its connection is gone. Start again on a new one, rather than
            # meet the old one's error and report the same outage twice.
            self._outages = database_outage.outages
            if self.session.in_transaction():
                self.session.connection().invalidate()
            self.session.close()
            self._loaded = None
        if self._loaded is None:
            # Held here, so that each renderer's session.get finds its registration loaded.
            self._loaded = list(self.session.scalars(
                select(Registration).where(Registration.id.in_(self._registration_ids))))
        return render_one(self.session, mail)

    def start_again(self) -> None:
        """Read afresh for the next mail (after one whose error may have spoilt this read)."""
        self.session.rollback()
        self._loaded = None

    def close(self) -> None:
        self._loaded = None
        self.session.close()  # only read: its transaction is rolled back
