"""Find the Debian tools some tests read their output with (zbarimg, pdftotext, pdftoppm)."""

from __future__ import annotations

import os
import shutil

import pytest


def system_tool(command: str, package: str) -> str:
    """Return the command's path; skip without it, except on CI, where it must be installed."""
    path = shutil.which(command)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{command} is missing: scripts/install-system-deps installs {package}")
        pytest.skip(f"{command} (Debian's {package}) is not installed")
    return path
