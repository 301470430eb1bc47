"""Regenerate docs/configuration.md from the Settings fields (a test checks it is up to date)."""

from __future__ import annotations

from pathlib import Path

from core.settings import PACKAGE_ROOT, Settings

HEADER = """# Configuration

Every knob is a field of `core.settings.Settings` (pydantic-settings). Set it as an environment
variable with the prefix `YJS_` (e.g. `YJS_DATABASE_URL=postgresql+psycopg://…`) or in a `.env` file
in the working directory. Lists and dicts are JSON (`YJS_API_KEYS='["<sha256 hex>"]'`).
Components never read the environment themselves; the CLI, API and UI pass settings down.

Scale-out is a configuration change: `YJS_CHROMA_URL` (chroma server), `YJS_DATABASE_URL`
(PostgreSQL shared by several API workers), `YJS_GENERATOR=openai` + `YJS_OPENAI_BASE_URL` (vLLM).

| variable | default | meaning |
|---|---|---|
"""


def render() -> str:
    rows = []
    for name, f in Settings.model_fields.items():
        default = f.default_factory() if f.default_factory else f.default
        if hasattr(default, "get_secret_value"):
            default = "(secret)"
        elif isinstance(default, Path) and default.is_absolute():
            default = default.relative_to(PACKAGE_ROOT).as_posix()  # machine-independent
        rows.append(f"| `YJS_{name.upper()}` | `{default}` | {f.description or ''} |")
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")
