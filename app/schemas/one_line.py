"""One line of text: the rule for every answer that can reach a mail's header, a file's name
or a line of a generated file (a title, a venue, a name, a designation, a subject).

A line break there would end the header and start another (`Bcc:`, `Reply-To :`), or a
calendar or CSV line; other control characters hide in it. Such text is refused with a
message, not mended: a header injection is not something to fix up quietly. Answers that
are several lines by nature (an address, a statement, a message's body) keep their line
breaks and are not checked here.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from app.core.i18n import N_

# CR, LF and every other C0 control (tab among them), DEL, every C1 control (NEL, U+0085,
# among them), and Unicode's line and paragraph separators.
NOT_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
ONE_LINE_ERROR = "one_line"
ONE_LINE_MESSAGE = N_(
    "Write this on one line, without line breaks or invisible control characters")


def is_one_line(text: str) -> bool:
    """Say whether `text` holds no line break and no control character."""
    return NOT_ON_ONE_LINE.search(text) is None


def one_line(text: str) -> str:
    """Return `text` if it is one line; else raise the error a form shows at its field."""
    if not is_one_line(text):
        raise PydanticCustomError(ONE_LINE_ERROR, ONE_LINE_MESSAGE)
    return text


# A schema's single-line text (checked after pydantic's own trimming and limits).
OneLine = Annotated[str, AfterValidator(one_line)]
