"""Settings read from the environment (and an optional `.env` file)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")
DEFAULT_MAIL_FROM = "Alliance 8.7 Malaysia <alliance8.7@mohr.gov.my>"
ENQUIRIES_EMAIL = "alliance8.7@mohr.gov.my"
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105


_EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def parse_deadline(value: str) -> dt.datetime:
    """Turn a date or an ISO 8601 date-time with offset into the instant the call closes.

    A bare date means the whole day counts in Malaysian time, so the call closes at the
    following midnight in Asia/Kuala_Lumpur.
    """
    text = value.strip()
    try:
        instant = _parse_deadline_text(text, value)
    except OverflowError:
        instant = _LATEST  # past the last day a date can hold; refused just below
    if not _EARLIEST <= instant < _LATEST:
        raise ValueError(f"deadline {value!r} is not between the years 2000 and 2099")
    return instant


def _parse_deadline_text(text: str, value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:
        if len(text) == 10:
            return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), MALAYSIA)
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"deadline {value!r} is neither a date (2022-10-20) nor an ISO 8601 date-time "
            "with an offset (2022-10-20T17:00:00+08:00)"
        ) from None
    if instant.tzinfo is None:
        raise ValueError(
            f"deadline {value!r} has no UTC offset; add one, e.g. 2022-10-20T17:00:00+08:00"
        )
    return instant


class Settings(BaseSettings):
    """Every setting the portal reads; names match SPEC section 5."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./alliance87.sqlite3"
    registration_deadline: str = "2022-10-20"
    secret_key: str = ""
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_timeout_seconds: float = 10.0
    mail_from: str = DEFAULT_MAIL_FROM
    notify_email: str = ENQUIRIES_EMAIL
    public_base_url: str = DEVELOPMENT_BASE_URL
    submission_rate_limit: str = "60/minute"
    rate_limit_storage_url: str = "memory://"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # auto: short lines for people at a terminal or in development, JSON lines otherwise.
    log_format: Literal["auto", "json", "text"] = "auto"
    # A waiting organisation offered freed seats has this long to take them.
    workshop_offer_hours: float = Field(default=48.0, gt=0, le=24 * 60)
    # Invitees who have not answered get one reminder this long before replies close.
    workshop_reminder_hours: float = Field(default=72.0, gt=0, le=24 * 60)
    # The check-in desk adds walk-ins on the workshop's days; this opens it earlier.
    workshop_walk_in_days_before: int = Field(default=0, ge=0, le=365)
    # Leads who have not sent a progress report get one reminder this many days before
    # the period's due date.
    report_reminder_days: int = Field(default=7, ge=1, le=90)
    # The Ministry's IATI organisation identifier, the reporting organisation of
    # /roadmap.iati.xml and the prefix of its activities' identifiers.
    iati_organisation_id: str = Field(default="MY-GOV-MOHR", min_length=3, max_length=60,
                                      pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)

    @field_validator("registration_deadline")
    @classmethod
    def _deadline_parses(cls, value: str) -> str:
        parse_deadline(value)
        return value

    @field_validator("submission_rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as 10/minute") from None
        return value

    @field_validator("smtp_host", "smtp_username", "smtp_password", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _production_needs_its_own_values(self) -> Settings:
        if self.environment == "production":
            if not self.secret_key:
                raise ValueError("SECRET_KEY is required when ENVIRONMENT is production")
            if self.public_base_url == DEVELOPMENT_BASE_URL:
                # Every private link in mail would point at the server's own loopback.
                raise ValueError("PUBLIC_BASE_URL is required when ENVIRONMENT is production")
        if not self.secret_key:
            self.secret_key = DEVELOPMENT_SECRET_KEY
        return self

    @property
    def default_registration_closes_at(self) -> dt.datetime:
        return parse_deadline(self.registration_deadline)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()


def describe_settings_error(error: ValidationError) -> str:
    """Say in one line which settings are wrong and why."""
    problems = []
    for problem in error.errors():
        setting = ".".join(str(part) for part in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        problems.append(f"{setting}: {message}" if setting else message)
    return "; ".join(problems)
