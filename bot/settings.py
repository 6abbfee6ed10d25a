"""Every setting, its default and the environment variable that sets it.

A newcomer sets nothing: the database is an embedded SQLite file under the data folder.
Slack's secrets have no placeholder defaults; a command that needs one and finds it
missing says so in one line (see `require`).
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FREMDRIFT_", env_file=".env", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(Path("fremdrift-data"), description="Where the SQLite file lives.")
    database_url: str = Field(
        "",
        validation_alias=AliasChoices("DATABASE_URL", "FREMDRIFT_DATABASE_URL"),
        description="sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB; empty = SQLite file.",
    )
    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "FREMDRIFT_SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "FREMDRIFT_SLACK_SIGNING_SECRET"),
    )
    slack_app_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "FREMDRIFT_SLACK_APP_TOKEN")
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", description="Slack's Web API; the tests point it elsewhere."
    )
    language: str = Field(
        "da", description="Language of the CLI and of messages with no reader's own."
    )
    host: str = Field("0.0.0.0", description="Where `fremdrift serve` listens.")
    port: int = Field(3000, description="The HTTP port for /slack/events, /healthz, /metrics.")
    log_level: str = Field("INFO")
    log_json: bool = Field(True, description="One JSON object per log line.")
    worker_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        description="Names this replica in job claims.",
    )
    job_poll_seconds: float = Field(1.0, description="How often an idle worker looks for jobs.")
    job_lease_seconds: float = Field(
        120.0, description="How long a claimed job stays claimed before another worker retakes it."
    )
    job_concurrency: int = Field(8, description="Jobs one replica runs at once.")
    public_url: str = Field(
        "", description="Fremdrift's public address; the history pages are linked under it."
    )
    history_secret: SecretStr | None = Field(
        None, description="Signs the history pages' links (32+ characters); unset: no pages."
    )

    # --- Microsoft Teams (bot/teams/, docs/teams.md): served on /api/messages when the app
    # id and a credential are set; the URLs are overridable so the tests can stand in.
    teams_app_id: str | None = Field(
        None,
        validation_alias=AliasChoices("TEAMS_APP_ID", "FREMDRIFT_TEAMS_APP_ID"),
        description="The bot's Microsoft App ID (its Entra app registration).",
    )
    teams_app_password: SecretStr | None = Field(
        None, validation_alias=AliasChoices("TEAMS_APP_PASSWORD", "FREMDRIFT_TEAMS_APP_PASSWORD")
    )
    teams_certificate_file: Path | None = Field(
        None,
        validation_alias=AliasChoices("TEAMS_CERTIFICATE_FILE", "FREMDRIFT_TEAMS_CERTIFICATE_FILE"),
        description="A PFX certificate of the app registration, instead of a password.",
    )
    teams_tenant_id: str | None = Field(
        None,
        validation_alias=AliasChoices("TEAMS_TENANT_ID", "FREMDRIFT_TEAMS_TENANT_ID"),
        description="The tenant of a single-tenant bot; activities from other tenants are refused.",
    )
    teams_openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        description="Bot Framework's OpenID metadata: the keys incoming tokens are signed with.",
    )
    teams_token_url: str = Field(
        "", description="Where the bot gets its own tokens; empty = Entra's, for the tenant."
    )
    teams_service_url: str = Field(
        "https://smba.trafficmanager.net/teams/",
        description="Teams' Connector for people and channels the bot has not heard from.",
    )
    teams_public_url: str = Field(
        "", description="The bot's public https address; the documents are linked under it."
    )
    teams_steering_channels: dict[str, str] = Field(
        default_factory=dict,
        description='Programme key → Teams channel id, as JSON: {"kol-2018": "19:…@thread.tacv2"}.',
    )

    def resolved_database_url(self) -> str:
        """The database URL, with the embedded default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite://{self.data_dir / 'fremdrift.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
