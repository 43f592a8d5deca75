"""The MIME message the worker sends, as a mail program reads it back."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from app.core.config import Settings
from app.models import OutboxMail
from app.services.mail_content import Attachment, RenderedMail, build_message

MAIL = OutboxMail(id=1, kind="announcement", to_address="aisyah@example.org.my", language="ms",
                  message_id="<a87.test.1@mohr.gov.my>")
NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


def _read(rendered: RenderedMail) -> tuple[bytes, EmailMessage]:
    raw = build_message(MAIL, rendered, settings=Settings(), now=NOW)
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return raw, message


def _text(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


@pytest.mark.parametrize("subject", [
    "Alliance 8.7 Malaysia: pendaftaran diterima (2VMWTTHN)",
    "Jemputan bengkel — Persatuan Wanita தமிழ் 马来西亚人力资源部",
    # Longer than a line, with a word no line can hold (a pasted link, say).
    "Bengkel https://www.mohr.gov.my/" + "a" * 90 + " pada 15 November 2022, 9:00 pagi MYT",
])
def test_the_subject_and_both_texts_read_back_exactly_as_written(subject: str) -> None:
    text = "Yang dihormati Puan Aisyah,\n\nதமிழ் 中文 café = 100%\n" + "panjang " * 40 + "\n"
    html = "<p>Yang dihormati Puan Aisyah,</p>\n<p>தமிழ் 中文 café = 100%</p>\n"

    raw, message = _read(RenderedMail(subject, text, html))

    assert message["Subject"] == subject
    assert _text(message, "plain") == text
    assert _text(message, "html") == html
    assert raw.isascii()  # 7-bit: any server can carry it
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_text_that_looks_like_a_part_boundary_stays_inside_its_part() -> None:
    # A registrant could type anything; the boundary must never be found in the text.
    sneaky = "--=_\n--=_0123456789abcdef0123456789abcdef--\n=_=_\n"
    attachment = Attachment("workshop.ics", "text/calendar",
                            b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")

    _raw, message = _read(RenderedMail("Ujian", sneaky, f"<pre>{sneaky}</pre>",
                                       attachments=(attachment,)))

    assert _text(message, "plain") == sneaky
    assert _text(message, "html") == f"<pre>{sneaky}</pre>"
    files = list(message.iter_attachments())
    assert [part.get_filename() for part in files] == ["workshop.ics"]
    assert files[0].get_content() == attachment.content.decode()


def test_the_headers_a_mail_program_and_a_spam_filter_look_at() -> None:
    _raw, message = _read(RenderedMail("Makluman", "teks", "<p>teks</p>",
                                       reply_to="sekretariat@mohr.gov.my"))

    assert message["To"] == "aisyah@example.org.my"
    assert message["Reply-To"] == "sekretariat@mohr.gov.my"
    assert message["Message-ID"] == "<a87.test.1@mohr.gov.my>"
    assert message["Date"].datetime == NOW
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "ms"
    assert message["MIME-Version"] == "1.0"
    assert [part.get("MIME-Version") for part in message.iter_parts()] == [None, None]
