"""The registration desk's PDF: names in Malay, Chinese and Tamil come out as text, escaped."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.services.badges import DeskAttendee, desk_html, desk_pdf
from tests.system_tools import system_tool

MALAY = DeskAttendee("Nur Aisyah binti Ahmad", "Jabatan Tenaga Kerja Semenanjung Malaysia",
                     "Penolong Pengarah", "Pencegahan")
CHINESE = DeskAttendee("陈美玲", "马来西亚华人工商联合会总会", "秘书长", "Perlindungan")
TAMIL = DeskAttendee("முருகன் சுப்பிரமணியம்", "மலேசிய இந்திய தொழிலாளர் சங்கம்",
                     "Setiausaha", "Perkongsian dan Kerjasama Strategik")
HOSTILE = DeskAttendee('<b>Ali</b><img src="file:///etc/passwd">', "Acme & Sons <script>",
                       '"><h1>Boss', "{{ 7 * 7 }}")
TITLE = "Bengkel Pelan Tindakan Kebangsaan Alliance 8.7"


def pdf_text(pdf: bytes, tmp_path: Path, *pages: int) -> str:
    """Return the PDF's text (of `pages` if given), with a name wrapped in a cell on one line."""
    path = tmp_path / "desk.pdf"
    path.write_bytes(pdf)
    page_args = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    result = subprocess.run(
        [system_tool("pdftotext", "poppler-utils"), *page_args, str(path), "-"],
        capture_output=True, check=True, text=True,
    )
    return " ".join(result.stdout.split())


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return desk_pdf(workshop_title=TITLE, attendees=[MALAY, CHINESE, TAMIL], language="ms")


def test_malay_chinese_and_tamil_names_are_in_the_pdf_as_text(desk: bytes, tmp_path: Path) -> None:
    text = pdf_text(desk, tmp_path)
    for attendee in (MALAY, CHINESE, TAMIL):
        assert attendee.full_name in text
    # Not the Tamil organisation: pdftotext reads a glyph shared by two vowel signs (the ா of
    # லா and of தொ) back as the first one it met, so its text differs from what is drawn.
    for organisation in (MALAY.organisation, CHINESE.organisation):
        assert organisation in text
    assert "秘书长" in text  # a designation, on the sheet


def test_the_sheet_comes_first_with_a_signature_column_then_the_badges(
    desk: bytes, tmp_path: Path
) -> None:
    sheet = pdf_text(desk, tmp_path, 1)
    assert "Helaian daftar masuk" in sheet
    for heading in ("Nama", "Organisasi", "Jawatan", "Kumpulan", "Tandatangan"):
        assert heading in sheet, heading
    assert "Penolong Pengarah" in sheet
    badges = pdf_text(desk, tmp_path, 2)
    assert "Helaian daftar masuk" not in badges
    assert "Kumpulan: Perlindungan" in badges
    for attendee in (MALAY, CHINESE, TAMIL):
        assert attendee.full_name in badges


def test_the_fonts_for_tamil_and_chinese_are_embedded(desk: bytes, tmp_path: Path) -> None:
    path = tmp_path / "desk.pdf"
    path.write_bytes(desk)
    fonts = subprocess.run(
        [system_tool("pdffonts", "poppler-utils"), str(path)],
        capture_output=True, check=True, text=True,
    ).stdout
    assert "Noto-Sans-Tamil" in fonts
    assert "Noto-Sans-CJK-SC" in fonts
    assert "Serif" not in fonts  # nothing fell back to a default font


def test_eight_badges_fit_on_a_page(tmp_path: Path) -> None:
    people = [DeskAttendee(f"Peserta {n:02}", "Organisasi", group="Pencegahan") for n in range(9)]
    pdf = desk_pdf(workshop_title=TITLE, attendees=people, language="en")
    first_badges, second_badges = pdf_text(pdf, tmp_path, 2), pdf_text(pdf, tmp_path, 3)
    assert [f"Peserta {n:02}" in first_badges for n in range(9)] == [True] * 8 + [False]
    assert "Peserta 08" in second_badges
    assert "Group: Pencegahan" in first_badges


def test_english_headings_when_printed_in_english(tmp_path: Path) -> None:
    pdf = desk_pdf(workshop_title=TITLE, attendees=[MALAY], language="en")
    text = pdf_text(pdf, tmp_path, 1)
    assert "Sign-in sheet" in text
    assert "Signature" in text


def test_hostile_names_are_printed_as_the_text_they_are(tmp_path: Path) -> None:
    html = desk_html(workshop_title="<i>Bengkel</i>", attendees=[HOSTILE], language="en")
    assert "<img" not in html
    assert "<script>" not in html
    assert "<b>Ali" not in html
    assert "&lt;b&gt;Ali&lt;/b&gt;" in html
    pdf = desk_pdf(workshop_title="<i>Bengkel</i>", attendees=[HOSTILE], language="en")
    text = pdf_text(pdf, tmp_path)
    assert "<b>Ali</b><img" in text
    assert "Acme & Sons <script>" in text
    assert "{{ 7 * 7 }}" in text
    assert "<i>Bengkel</i>" in text


def test_no_one_yet_gives_a_sheet_that_says_so(tmp_path: Path) -> None:
    pdf = desk_pdf(workshop_title=TITLE, attendees=[], language="ms")
    assert "Belum ada wakil yang menerima jemputan." in pdf_text(pdf, tmp_path)
