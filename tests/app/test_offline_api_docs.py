"""Issue 15 item 15: /docs works offline and the OpenAPI document tells an integrator what they need."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from core.settings import Settings


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    s = Settings(data_dir=tmp_path_factory.mktemp("docs") / "var", embedder="hash")
    # No pipeline is built (no lifespan): the docs need none.
    return TestClient(create_app(s, assistant=object(), prefill=object(), mount_ui=False))


def _assets(html: str) -> list[str]:
    return re.findall(r"""(?:src|href|url)\s*[:=]\s*["']([^"']+)["']""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets_and_they_are_served(client, page):
    r = client.get(page)
    assert r.status_code == 200
    assets = _assets(r.text)
    assert assets and not re.search(r"https?://|//cdn|fonts\.googleapis", r.text.split("<body")[0] + " ".join(assets))
    assert not any("cdn." in a or a.startswith(("http:", "https:", "//")) for a in assets), assets
    for a in assets:
        got = client.get(a)
        assert got.status_code == 200 and got.content, a


def test_openapi_has_security_schemes_and_every_operation_is_described(client):
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {"CitizenBearer", "StaffBearer", "ApiKey"} <= set(schemes)
    assert schemes["ApiKey"] == {**schemes["ApiKey"], "type": "apiKey", "in": "header", "name": "X-API-Key"}
    ops = {(m.upper(), p): op for p, item in spec["paths"].items() for m, op in item.items()}
    assert len(ops) > 40
    for key, op in ops.items():
        assert op.get("description", "").strip(), f"{key} has no description"
        if key[0] in ("POST", "PUT", "PATCH"):
            assert "413" in op["responses"], f"{key} does not document 413"
    for name, schema in spec["components"]["schemas"].items():
        assert schema.get("description") and (schema.get("examples") or "example" in schema), name
    # Who may call what, from the routes' own dependencies.
    assert ops[("POST", "/v1/prefill/drafts")]["security"] == [{"CitizenBearer": []}]
    assert ops[("GET", "/v1/staff/conversations")]["security"] == [{"StaffBearer": []}]
    assert {"ApiKey": []} in ops[("POST", "/v1/answer")]["security"]
    answer = ops[("POST", "/v1/answer")]
    assert "Retry-After" in answer["responses"]["429"]["headers"]


def test_streams_document_their_event_format(client):
    spec = client.get("/openapi.json").json()
    stream = spec["paths"]["/v1/answer/stream"]["post"]
    assert "event: delta" in stream["description"] and "event: answer" in stream["description"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    staff = spec["paths"]["/v1/sessions/{session_id}/staff-replies/stream"]["get"]
    assert "event: staff" in staff["description"]


def test_chat_completions_documents_its_real_response(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/chat/completions"]["post"]
    ok = op["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatCompletionOut"}
    assert "text/event-stream" in ok and "[DONE]" in op["description"]
    out = spec["components"]["schemas"]["ChatCompletionOut"]
    assert {"id", "object", "created", "model", "choices", "usage", "citations"} <= set(out["properties"])
