"""The personal check-in link and its QR code, read back with a real QR decoder (zbarimg)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.config import get_settings
from app.services.check_in_codes import (
    CheckInCodeError,
    check_in_code,
    check_in_url,
    qr_data_uri,
    qr_png,
    read_check_in_code,
)
from tests.system_tools import system_tool


def decode_qr(png: bytes, tmp_path: Path) -> str:
    image = tmp_path / "code.png"
    image.write_bytes(png)
    result = subprocess.run(
        [system_tool("zbarimg", "zbar-tools"), "--quiet", "--raw", "-Sbinary", str(image)],
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8").removesuffix("\n")


def test_the_link_points_at_the_staff_check_in_page_under_the_public_address() -> None:
    url = check_in_url(workshop_id=3, representative_id=41, base_url="https://alliance87.example.my/")
    prefix = "https://alliance87.example.my/staff/workshops/3/check-in/"
    assert url.startswith(prefix)
    assert read_check_in_code(url.removeprefix(prefix), workshop_id=3) == 41


def test_the_link_uses_public_base_url_by_default() -> None:
    url = check_in_url(workshop_id=3, representative_id=41)
    assert url.startswith(get_settings().public_base_url.rstrip("/") + "/staff/workshops/3/")


def test_each_representative_gets_a_different_code() -> None:
    codes = {check_in_code(workshop_id=1, representative_id=n) for n in range(1, 200)}
    assert len(codes) == 199


def test_the_qr_code_decodes_back_to_the_exact_link(tmp_path: Path) -> None:
    url = check_in_url(
        workshop_id=12, representative_id=3456, base_url="https://alliance87.example.my"
    )
    png = qr_png(url)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode_qr(png, tmp_path) == url


def test_the_qr_code_for_a_page_is_the_same_image() -> None:
    url = check_in_url(workshop_id=1, representative_id=2)
    assert qr_data_uri(url).startswith("data:image/png;base64,iVBORw0KGgo")


def test_a_code_for_another_workshop_is_refused_as_such() -> None:
    code = check_in_code(workshop_id=1, representative_id=41)
    with pytest.raises(CheckInCodeError, match="another workshop") as refused:
        read_check_in_code(code, workshop_id=2)
    assert refused.value.problem == "other_workshop"


@pytest.mark.parametrize(
    "garble",
    [
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # one character changed
        lambda code: code[: len(code) // 2],  # cut short, as a mail client might wrap it
        lambda code: "",
        lambda code: "not-a-code",
        lambda code: code.replace(".", ""),
        lambda code: code + "%20",
    ],
)
def test_a_garbled_code_is_refused(garble: object) -> None:
    code = check_in_code(workshop_id=1, representative_id=41)
    with pytest.raises(CheckInCodeError, match="not valid") as refused:
        read_check_in_code(garble(code), workshop_id=1)  # type: ignore[operator]
    assert refused.value.problem == "invalid"


def test_a_code_forged_without_the_secret_key_is_refused() -> None:
    # Someone who knows how codes are made, but not the key, tries to name person 41.
    forged = check_in_code(workshop_id=1, representative_id=41, secret_key="guessed key")
    with pytest.raises(CheckInCodeError, match="not valid"):
        read_check_in_code(forged, workshop_id=1)


def test_a_genuine_signature_over_another_shape_is_refused() -> None:
    from itsdangerous import URLSafeSerializer

    from app.services.check_in_codes import SALT

    signer = URLSafeSerializer(get_settings().secret_key, salt=SALT)
    for payload in ([1, "41"], {"workshop": 1}, [1, 41, 5], [1, True]):
        with pytest.raises(CheckInCodeError, match="not valid"):
            read_check_in_code(str(signer.dumps(payload)), workshop_id=1)


@given(workshop_id=st.integers(1, 2**31), representative_id=st.integers(1, 2**31))
def test_every_code_reads_back_to_its_representative_and_only_at_its_workshop(
    workshop_id: int, representative_id: int
) -> None:
    code = check_in_code(workshop_id=workshop_id, representative_id=representative_id)
    assert read_check_in_code(code, workshop_id=workshop_id) == representative_id
    with pytest.raises(CheckInCodeError):
        read_check_in_code(code, workshop_id=workshop_id + 1)
