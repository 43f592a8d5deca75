"""Rendering a claimed batch of mail, one message at a time, in a read of its own.

The worker renders each message while the server takes the one before it, and records
outcomes in between; so the reading has its own session, which never writes, and the
batch's registrations are loaded into it by one query.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.outage import database_outage
from app.models import OutboxMail, Registration
from app.services import link_request, workshop_mail
from app.services.announcement_mail import ANNOUNCEMENT_KINDS, render_announcement
from app.services.mail_content import MailCannotBeRendered, RenderedMail, render_mail


def render_one(session: Session, mail: OutboxMail) -> RenderedMail | MailCannotBeRendered:
    """Return what to send for a mail, rendered now by the renderer of its kind."""
    try:
        if mail.kind in ANNOUNCEMENT_KINDS:
            return render_announcement(session=session, mail=mail)
        if mail.kind == link_request.KIND:
            return link_request.render(session=session, mail=mail)
        if mail.kind.startswith("workshop_"):
            return workshop_mail.render(session=session, mail=mail)
        return render_mail(session=session, mail=mail)
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

    def close(self) -> None:
        self._loaded = None
        self.session.close()  # only read: its transaction is rolled back
