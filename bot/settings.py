"""Every setting, its default and the environment variable that sets it.

A newcomer sets nothing: the database is an embedded SQLite file under the data folder.
Slack's secrets have no placeholder defaults; a command that needs one and finds it
missing says so in one line (see `require`). A setting that cannot be read — a port that is
not a number, a database URL we cannot open — is a `SettingsError`: one line in the CLI's
language and exit code 2, never a traceback (`get_settings`).
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as UnparsedSetting

from conversations.errors import UserError
from conversations.vocabulary import LANGUAGES
from models.db import SCHEMES


class SettingsError(UserError):
    """A setting that cannot be used: said in one line, exit code 2 (bot/cli/common.py)."""


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
    slack_team_id: str | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_TEAM_ID", "FREMDRIFT_SLACK_TEAM_ID"),
        description="The one workspace served (T…); empty = the bot token's, from auth.test.",
    )
    host: str = Field("0.0.0.0", description="Where `fremdrift serve` listens.")
    port: int = Field(
        3000, ge=0, le=65535, description="The HTTP port for /slack/events, health, /metrics."
    )
    log_level: str = Field("INFO")
    log_json: bool = Field(True, description="One JSON object per log line.")
    worker_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        description="Names this replica in job claims.",
    )
    job_poll_seconds: float = Field(
        1.0, gt=0, description="How often an idle worker looks for jobs."
    )
    job_lease_seconds: float = Field(
        120.0,
        gt=0,
        description="How long a claimed job stays claimed before another worker retakes it.",
    )
    job_concurrency: int = Field(8, ge=1, description="Jobs one replica runs at once.")
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

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        if url and (not url.startswith(SCHEMES) or not url.split("://", 1)[1]):
            raise ValueError("settings.database_url")
        return url

    @field_validator("language")
    @classmethod
    def _known_language(cls, language: str) -> str:
        if language not in LANGUAGES:
            raise ValueError("settings.language")
        return language

    def resolved_database_url(self) -> str:
        """The database URL, with the embedded default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite://{self.data_dir / 'fremdrift.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment; SettingsError if one of them
    cannot be used (the first such, named by its environment variable)."""
    try:
        return Settings()
    except ValidationError as invalid:
        raise settings_error(invalid) from None
    except UnparsedSetting as unparsed:  # a JSON setting (a mapping) that is not JSON
        named = (name for name in Settings.model_fields if f'"{name}"' in str(unparsed))
        raise SettingsError("settings.not_json", variable=_variable(next(named, ""))) from None


NUMBER_ERRORS = {"int_parsing", "float_parsing", "int_from_float", "finite_number"}
RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def settings_error(invalid: ValidationError) -> SettingsError:
    """The first problem pydantic found, as a catalogue key, the variable and its value."""
    problem = invalid.errors()[0]
    where = _field_of(str(problem["loc"][0]) if problem["loc"] else "")
    variable = _variable(where)
    params: dict[str, object] = {"variable": variable, "value": _shown(where, problem.get("input"))}
    kind = problem["type"]
    context = problem.get("ctx") or {}
    if kind in NUMBER_ERRORS:
        return SettingsError("settings.not_a_number", **params)
    if kind in RANGE_ERRORS:
        limit = next(iter(context.values()), "")
        return SettingsError(f"settings.{kind}", **params, limit=limit)
    if kind == "bool_parsing":
        return SettingsError("settings.not_a_boolean", **params)
    if kind == "value_error" and str(context.get("error", "")).startswith("settings."):
        return SettingsError(str(context["error"]), **params, languages=", ".join(LANGUAGES))
    return SettingsError("settings.invalid", **params)


def _shown(where: str, value: object) -> str:
    """What a message may repeat of a bad value: never a secret, of a URL only its scheme."""
    if not isinstance(value, str) or any(w in where for w in ("secret", "token", "password")):
        return ""
    if where == "database_url":
        return value.split("://", 1)[0] if "://" in value else value[:20]
    return value[:60]


def _field_of(where: str) -> str:
    """The field an error's location names (pydantic gives the alias it read, if any)."""
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if name == where or (isinstance(alias, AliasChoices) and where in alias.choices):
            return name
    return where


def _variable(where: str) -> str:
    """The environment variable that sets a field (its first alias, else FREMDRIFT_…)."""
    field = Settings.model_fields.get(where)
    if field is None:
        return where.upper()
    alias = field.validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return f"FREMDRIFT_{where.upper()}"
