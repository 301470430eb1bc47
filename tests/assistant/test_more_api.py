"""A short answer's `more` list over HTTP: each id opens the whole guide section at /v1/sources/{id}."""

from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.main import create_app


@pytest.fixture
def client(fast_assistant, settings):
    app = create_app(settings, assistant=fast_assistant, mount_ui=False)
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("question, section", [("退休一件事要多久", "retirement#materials"),
                                               ("How long does the retirement bundle take?", "retirement#materials@en")])
def test_more_lists_sections_the_client_can_open(client, question, section):
    body = client.post("/v1/answer", json={"question": question}).json()
    more = {m["id"]: m["label"] for m in body["more"]}
    assert section in more and more[section] in ("所需材料", "Materials")
    src = client.get(f"/v1/sources/{quote(section, safe='')}")
    assert src.status_code == 200
    text = src.json()["text"]
    assert text.startswith("所需材料（一套材料，一次提交）：" if "@en" not in section else "Required documents")


def test_more_labels_are_in_the_askers_script(client):
    body = client.post("/v1/answer", json={"question": "退休要帶什麼材料？", "lang": "zh-Hant"}).json()
    labels = [m["label"] for m in body["more"]]
    assert "辦理時限" in labels and "办理时限" not in labels, labels


def test_an_unknown_source_is_a_404_naming_it(client):
    r = client.get(f"/v1/sources/{quote('retirement#nothing', safe='')}")
    assert r.status_code == 404 and "retirement#nothing" in r.json()["error"]["message"]
