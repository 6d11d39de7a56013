"""Configuration read from the environment.

Every setting the API uses comes from an environment variable, read here and nowhere else, so a
deployment can see in one place what it has to provide. Settings are read on each use rather than
cached, so the readiness probe always reports the environment as it is.
"""

import os
from dataclasses import dataclass, field

DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


@dataclass(frozen=True)
class Settings:
    """The API's configuration. Secret values are excluded from ``repr``."""

    database_url: str | None = field(default=None, repr=False)
    """Connection string of the Postgres database; required for readiness."""
    better_auth_secret: str | None = field(default=None, repr=False)
    """Shared secret that signs the tokens of signed-in users; when set, writes need a token."""
    openai_api_key: str | None = field(default=None, repr=False)
    """Key for the OpenAI API; when set, the API can suggest steps for a todo."""
    openai_base_url: str = DEFAULT_OPENAI_BASE_URL
    """Base URL of an OpenAI-compatible API."""
    openai_model: str = DEFAULT_OPENAI_MODEL
    """Chat model used for suggestions."""

    @classmethod
    def from_env(cls) -> "Settings":
        """Reads the settings from the process environment; empty values count as unset."""
        return cls(
            database_url=os.getenv("DATABASE_URL") or None,
            better_auth_secret=os.getenv("BETTER_AUTH_SECRET") or None,
            openai_api_key=os.getenv("OPENAI_API_KEY") or None,
            openai_base_url=os.getenv("OPENAI_BASE_URL") or DEFAULT_OPENAI_BASE_URL,
            openai_model=os.getenv("OPENAI_MODEL") or DEFAULT_OPENAI_MODEL,
        )

    def missing(self) -> list[str]:
        """Names of the required settings that are not set."""
        return [] if self.database_url else ["DATABASE_URL"]


def cors_origins() -> list[str]:
    """Origins allowed to call the API from a browser: ``CORS_ORIGINS``, comma-separated."""
    raw = os.getenv("CORS_ORIGINS", "http://localhost:3000,http://localhost:3001")
    return [origin.strip() for origin in raw.split(",") if origin.strip()]


def log_level() -> str:
    """The log level name from ``LOG_LEVEL`` (default ``INFO``)."""
    return os.getenv("LOG_LEVEL", "INFO").strip().upper() or "INFO"
