"""One settings object for every stage, read from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration. Unset broker/database means: start the embedded ones."""

    model_config = SettingsConfigDict(env_prefix="SCHILDWACHT_", env_file=".env", extra="ignore")

    # Connections: production sets these; empty means embedded Tansu / embedded PostgreSQL.
    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "SCHILDWACHT_KAFKA_BOOTSTRAP_SERVERS"))
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "SCHILDWACHT_DATABASE_URL"))
    data_dir: Path = REPO_ROOT / ".schildwacht"

    # Topics
    topic_raw: str = "schildwacht.mentions.raw"
    topic_scored: str = "schildwacht.mentions.scored"
    topic_dead_letter: str = "schildwacht.deadletter"
    topic_partitions: int = 4

    # Kafka client tuning (see README: Tansu needs a short session timeout to join groups quickly).
    kafka_session_timeout_ms: int = 6000
    kafka_heartbeat_interval_ms: int = 1500
    kafka_fetch_max_wait_ms: int = 100
    kafka_max_request_size: int = 4 * 1024 * 1024
    kafka_enable_idempotence: bool = False

    # Classifier
    model_path: Path | None = None
    batch_max_items: int = 32
    batch_max_wait_ms: int = 200
    threshold_threat: float | None = None
    threshold_abuse: float | None = None
    threshold_gender: float | None = None
    threshold_doxxing: float | None = None

    # Triage web
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    secret_key: str = "dev-only-change-me"
    cookie_secure: bool = False
    public_base_url: str = "http://127.0.0.1:8000"

    # Retention (days); 0 means "not kept"
    retain_unflagged_days: int = 0
    incident_window_hours: int = 24

    def thresholds(self) -> dict[str, float]:
        """Per-label thresholds overriding the model's own, where configured."""
        pairs = {"threat": self.threshold_threat, "abuse": self.threshold_abuse,
                 "gender": self.threshold_gender, "doxxing": self.threshold_doxxing}
        return {k: v for k, v in pairs.items() if v is not None}


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
