"""Request bodies over their limit get 413 before they are read (issue 15, item 5)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from core.settings import Settings


@pytest.fixture
def client(tmp_path, fast_assistant):
    s = Settings(data_dir=tmp_path / "var", embedder="hash", max_body_kb=64)
    with TestClient(create_app(s, assistant=fast_assistant, mount_ui=False)) as c:
        yield c


def test_an_oversized_json_body_is_refused_with_413(client):
    body = json.dumps({"question": "孩子刚出生" * 20000}).encode()
    assert len(body) > 64 * 1024
    r = client.post("/v1/answer", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_a_chunked_body_without_length_is_cut_off_too(client):
    def chunks():
        yield b'{"question": "'
        for _ in range(200):
            yield "新生儿".encode() * 200
        yield b'"}'

    r = client.post("/v1/answer", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_a_normal_question_still_works(client):
    r = client.post("/v1/answer", json={"question": "孩子刚出生要办哪些手续？"})
    assert r.status_code == 200
