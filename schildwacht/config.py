"""One settings object for every stage, read from the environment (and `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, IPvAnyNetwork, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration. Unset broker/database means: start the embedded ones."""

    model_config = SettingsConfigDict(env_prefix="SCHILDWACHT_", env_file=".env", extra="ignore")

    # Connections: production sets these; empty means embedded Tansu / embedded PostgreSQL.
    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "SCHILDWACHT_KAFKA_BOOTSTRAP_SERVERS")
    )
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "SCHILDWACHT_DATABASE_URL")
    )
    data_dir: Path = REPO_ROOT / ".schildwacht"

    # Topics
    topic_raw: str = "schildwacht.mentions.raw"
    topic_scored: str = "schildwacht.mentions.scored"
    topic_dead_letter: str = "schildwacht.deadletter"
    topic_partitions: int = 4

    # Client tuning (docs/operations.md, Troubleshooting: Tansu needs a short session timeout to join groups quickly).
    kafka_session_timeout_ms: int = 6000
    kafka_heartbeat_interval_ms: int = 1500
    kafka_fetch_max_wait_ms: int = 100
    kafka_max_request_size: int = 8 * 1024 * 1024
    kafka_enable_idempotence: bool = False

    # Failures while handling records (schildwacht/failures.py): transient ones are retried with a back-off doubling
    # from the initial to the max delay; a record failing alone the same way `poison_attempts` times is parked.
    poison_attempts: int = Field(default=3, ge=1)
    retry_backoff_initial_s: float = Field(default=0.5, gt=0)
    retry_backoff_max_s: float = Field(default=10.0, gt=0)

    # Collectors (Scrapy)
    collector_contact: str = "+https://schildwacht.example/contact"
    collector_registry_refresh_seconds: float = 30.0
    collector_publish_attempts: int = 8
    collector_download_delay: float = 1.0
    collector_timeout_seconds: float = 30.0
    collector_max_bytes: int = 2 * 1024 * 1024  # larger bodies are parked: raw + WARC travel inline in Kafka
    collector_since_days: int = 7
    collector_mastodon_instances: dict[str, str] = Field(default_factory=dict)  # domain -> base URL override
    collector_mastodon_hashtags: list[str] = Field(default_factory=list)  # "tag@instance"
    collector_mastodon_public_timelines: list[str] = Field(default_factory=list)  # servers: local public timeline
    collector_mastodon_search_instances: list[str] = Field(default_factory=list)  # servers: /api/v2/search
    collector_mastodon_stream_seconds: float = 0.0  # >0: read streaming/public/local of the public_timelines servers
    # server domain -> access token, for servers whose search, timelines or streaming need login (sent as Bearer)
    collector_mastodon_access_tokens: dict[str, SecretStr] = Field(default_factory=dict)
    collector_bluesky_appview_url: str = "https://public.api.bsky.app"
    collector_bluesky_pds_url: str = "https://bsky.social"
    collector_bluesky_identifier: str | None = None  # account for searchPosts (needs a session)
    collector_bluesky_app_password: SecretStr | None = None
    collector_feeds: list[str] = Field(default_factory=list)  # RSS/Atom feed URLs
    # Bluesky Jetstream (collectors/spiders/jetstream.py), e.g. wss://jetstream2.us-east.bsky.network/subscribe
    collector_jetstream_url: str | None = None
    collector_jetstream_seconds: float = Field(default=60.0, gt=0)  # how long one collection round listens
    # X API v2 (collectors/spiders/x.py): the organisation's bearer token; nothing is collected without one.
    collector_x_api_url: str = "https://api.x.com"
    collector_x_bearer_token: SecretStr | None = None
    collector_x_monthly_post_cap: int = Field(default=10_000, ge=0)  # posts the plan may read per calendar month
    collector_x_conversation_days: int = Field(default=7, ge=1)  # follow replies to an official's post this long
    collector_x_stream_seconds: float = Field(default=0.0, ge=0)  # >0: read the filtered stream this long per round
    # YouTube Data API v3 (collectors/spiders/youtube.py): API key, channels (ids "UC…") besides the officials' own
    # (handles["youtube"]), single videos, and the project's daily quota in units (1 per list call).
    collector_youtube_api_url: str = "https://www.googleapis.com/youtube/v3"
    collector_youtube_api_key: SecretStr | None = None
    collector_youtube_channels: list[str] = Field(default_factory=list)
    collector_youtube_videos: list[str] = Field(default_factory=list)
    collector_youtube_daily_quota: int = Field(default=10_000, ge=0)
    # Forwarding mailbox (collectors/spiders/mailbox.py): read over IMAP when a host is set.
    intake_imap_host: str | None = None
    intake_imap_port: int = 993
    intake_imap_security: Literal["ssl", "starttls", "none"] = "ssl"  # "none" only for a loopback test server
    intake_imap_user: str | None = None
    intake_imap_password: SecretStr | None = None
    intake_imap_folder: str = "INBOX"
    intake_imap_organisation: str | None = None  # senders must belong to this organisation, when set
    intake_imap_batch: int = Field(default=200, ge=1)  # messages per collection round
    # Meta Graph API: Facebook pages and Instagram professional accounts that officials connect themselves
    # (collectors/spiders/meta.py; triage/web/meta_connect.py, meta_webhook.py). Unset app id: nothing to connect.
    meta_app_id: str | None = None
    meta_app_secret: SecretStr | None = None  # the code exchange, and the HMAC key of X-Hub-Signature-256
    meta_webhook_verify_token: SecretStr | None = None  # what Meta's subscription check must send as hub.verify_token
    # Encrypts page access tokens at rest (schildwacht/meta_tokens.py); unset: derived from secret_key.
    meta_token_key: str | None = None
    meta_graph_url: str = "https://graph.facebook.com/v21.0"  # tests and the demo point both at a local fake
    meta_dialog_url: str = "https://www.facebook.com/v21.0/dialog/oauth"
    meta_page_limit: int = Field(default=25, ge=1, le=100)  # objects per Graph API page
    meta_recheck_comments: int = Field(default=200, ge=0)  # known comments re-read per round to notice removals

    # Classifier
    model_path: Path | None = None
    batch_max_items: int = 32
    batch_max_wait_ms: int = 200
    threshold_threat: float | None = None
    threshold_abuse: float | None = None
    threshold_gender: float | None = None
    threshold_doxxing: float | None = None
    threshold_identity: float | None = None

    # Triage web
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    # Signs session cookies and personal links; empty means not set. Production commands refuse an empty, placeholder
    # or low-entropy key (schildwacht/secret_keys.py); demo and replay use a random key per data_dir instead.
    secret_key: str = ""
    cookie_secure: bool = False
    public_base_url: str = "http://127.0.0.1:8000"
    session_max_age_s: int = 8 * 3600  # absolute session lifetime (server-side record and cookie)
    session_idle_minutes: int = Field(default=30, ge=1)  # a session unused this long has ended
    login_max_failures: int = 5  # per account + address within login_window_minutes
    login_window_minutes: int = 15
    login_address_max_failures: int = 30  # per address, any accounts, within login_window_minutes
    login_account_max_failures: int = 10  # per account, any address: then back-off doubling from the base
    login_backoff_base_s: int = 60
    login_backoff_max_s: int = 3600
    # Addresses/networks of reverse proxies whose X-Forwarded-For/-Proto `web` believes (comma-separated, e.g.
    # "10.0.0.5,172.18.0.0/16"). Empty: no forwarded header is believed.
    trusted_proxies: str = ""
    # SLA: minutes until a new case must be acknowledged (claimed), per most severe label.
    sla_minutes_threat: int = 60
    sla_minutes_doxxing: int = 60
    sla_minutes_gender: int = 8 * 60
    sla_minutes_identity: int = 8 * 60
    sla_minutes_abuse: int = 24 * 60

    # Alerts (threat / doxxing cases): e-mail via SMTP and/or webhook POST
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "schildwacht@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    alert_timeout_s: float = 10.0
    alert_backoff_base_s: int = 30
    alert_backoff_max_s: int = 3600

    # Evidence bundles: key directory (default data_dir/keys, private keys 0600), optional key passphrase,
    # optional RFC 3161 timestamp authority, re-capture of flagged posts.
    key_dir: Path | None = None
    key_passphrase: str | None = None
    # Production: the passphrase's file (a compose secret, /run/secrets/...); its first line is the passphrase.
    # Production commands refuse an unencrypted signing key unless allow_unencrypted_key (development only).
    key_passphrase_file: Path | None = None
    allow_unencrypted_key: bool = False
    tsa_url: str | None = None
    capture_chromium: str | None = None
    capture_timeout_seconds: float = 30.0
    # Every server-side fetch (re-capture and its browser, collectors, capture-url, alert webhooks) refuses loopback,
    # private, link-local and other non-public addresses (schildwacht/netguard.py). The one exception: addresses in
    # these networks, e.g. ["10.20.0.0/24"] for an intranet deployment; tests name 127.0.0.0/8. Empty: closed.
    outbound_allowed_networks: list[IPvAnyNetwork] = Field(default_factory=list)

    # Retention (days); 0 means "not kept"
    retain_unflagged_days: int = 0
    retain_dismissed_days: int = 30  # cases closed as "geen_actie"
    retain_closed_days: int = 365  # cases "afgerond"; legal hold is never deleted
    retain_login_records_days: int = 30  # login attempts and ended staff sessions (security investigations)
    retain_dead_letter_payload_days: int = 7  # payload of a parked message (operator inspection and replay)
    retain_dead_letters_days: int = 30  # the rest of a dead letter: reason, sha256, size, origin
    retain_ledger_days: int = 180  # content-free ledger rows of unflagged posts (post id, scores, hashes)
    retain_audit_days: int = 730  # audit_events (accountability); events about a case on legal hold stay
    retain_withdrawn_official_days: int = 365  # then a withdrawn official's record is minimised
    legal_hold_review_days: int = 180  # a held case is due for review this long after it was held or last reviewed
    # Kafka topic retention (hours) that ensure_topics sets on the pipeline topics (Apache Kafka `retention.ms`).
    # The embedded Tansu broker has no retention: `schildwacht demo`/`replay` recreate its topics instead once the
    # workers have read everything and the oldest record is older than this (schildwacht/topic_retention.py).
    kafka_topic_retention_hours: int = Field(default=24, ge=1)
    kafka_dead_letter_retention_hours: int = Field(default=168, ge=1)

    # Registry: officials' personal links and privacy notice
    # The support line every page an official sees shows beside 112 (e.g. the organisation's own or the
    # Ondersteuningsteam Weerbaar Bestuur); unset: the organisation's contact address is shown instead.
    support_phone: str | None = None
    invite_valid_days: int = 14
    manage_link_valid_days: int = 180
    privacy_notice_version: str = "2026-2"
    # HMAC key for author pseudonyms in statistics; unset: derived from secret_key. Either must be strong for `stats`.
    pseudonym_key: str | None = None
    incident_window_hours: int = 24

    # Operations (docs/operations.md): a worker serves Prometheus metrics on metrics_port (unset: none); the web app
    # serves /metrics only with `Authorization: Bearer <metrics_token>` (unset: /metrics answers 404).
    metrics_port: int | None = None
    metrics_host: str = "0.0.0.0"
    metrics_token: SecretStr | None = None
    readiness_timeout_s: float = Field(default=3.0, gt=0)

    def thresholds(self) -> dict[str, float]:
        """Per-label thresholds overriding the model's own, where configured."""
        pairs = {
            "threat": self.threshold_threat,
            "abuse": self.threshold_abuse,
            "gender": self.threshold_gender,
            "doxxing": self.threshold_doxxing,
            "identity": self.threshold_identity,
        }
        return {k: v for k, v in pairs.items() if v is not None}


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
