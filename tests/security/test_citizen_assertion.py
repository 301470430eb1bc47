"""Issue 15, item 16: an external app obtains a citizen identity in production — its backend passes
the deployment's 统一身份认证 signed assertion (RS256 with the platform's public key, or HS256 with a
shared secret) to POST /v1/auth/citizen-assertion and gets a citizen token for the pre-fill API.
Forged, expired, replayed, mis-addressed or over-long assertions are refused with 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time

import pytest
from fastapi.testclient import TestClient
from sectools import SECRET

from app.main import create_app
from core.settings import Settings

ISSUER = "https://tyrz.example.gov.cn"
HS_SECRET = "shared-secret-with-the-identity-platform-0123456789"


# --- a throwaway RSA key and a JWS signer (the identity platform's side), in plain Python ----------
def _prime(bits: int, rng: random.Random) -> int:
    while True:
        n = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(n % p for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)) and all(
                pow(a, n - 1, n) == 1 for a in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29)):
            return n


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    length = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + content


def _int(v: int) -> bytes:
    return _der(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big"))


@pytest.fixture(scope="module")
def rsa_key() -> dict:
    rng, e = random.Random(15), 65537
    while True:
        p, q = _prime(1024, rng), _prime(1024, rng)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    n = p * q
    spki = _der(0x30, _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d010101")) + _der(0x05, b""))
                + _der(0x03, b"\x00" + _der(0x30, _int(n) + _int(e))))
    b64 = base64.b64encode(spki).decode()
    pem = "-----BEGIN PUBLIC KEY-----\n" + "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + \
          "\n-----END PUBLIC KEY-----\n"
    return {"n": n, "e": e, "d": pow(e, -1, phi), "pem": pem}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims: dict, *, alg: str, key) -> str:
    signed = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + "." + _b64(json.dumps(claims).encode())
    if alg == "HS256":
        sig = hmac.new(key.encode(), signed.encode(), hashlib.sha256).digest()
    else:
        k = (key["n"].bit_length() + 7) // 8
        digest = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(signed.encode()).digest()
        em = b"\x00\x01" + b"\xff" * (k - 3 - len(digest)) + b"\x00" + digest
        sig = pow(int.from_bytes(em, "big"), key["d"], key["n"]).to_bytes(k, "big")
    return signed + "." + _b64(sig)


def claims(**over) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": "yijianshi", "sub": "P0001", "iat": now, "exp": now + 120,
            "jti": f"a-{random.random()}"}
    return {k: v for k, v in {**base, **over}.items() if v is not None}


def _app(tmp_path, fast_assistant, svc, key: str | None, **more):
    s = Settings(data_dir=tmp_path / "var", embedder="hash", rate_limit_per_minute=100000, secret_key=SECRET,
                 idp_assertion_key=key, idp_issuer=ISSUER if key else "", **more)
    return TestClient(create_app(s, assistant=fast_assistant, prefill=svc, mount_ui=False))


@pytest.fixture
def rs_client(tmp_path, fast_assistant, svc, rsa_key):
    # As production runs it: no demo sign-in, so the assertion is the only way a citizen gets in.
    with _app(tmp_path, fast_assistant, svc, rsa_key["pem"], demo_login=False) as c:
        yield c


def test_an_app_backend_signs_a_citizen_in_with_an_rs256_assertion(rs_client, rsa_key):
    r = rs_client.post("/v1/auth/citizen-assertion", json={"assertion": sign(claims(), alg="RS256", key=rsa_key)})
    assert r.status_code == 200, r.text
    token = r.json()
    assert token["kind"] == "citizen" and token["subject"] == "P0001"
    me = {"Authorization": f"Bearer {token['token']}"}
    assert rs_client.get("/v1/prefill/drafts", headers=me).status_code == 200
    assert rs_client.post("/v1/prefill/demo-login", json={"person_id": "P0001"}).status_code == 403


def test_bad_assertions_are_refused(rs_client, rsa_key):
    now = int(time.time())
    other = dict(rsa_key, d=rsa_key["d"] ^ 2)  # not the platform's key
    good = sign(claims(), alg="RS256", key=rsa_key)
    head, body, sig = good.split(".")
    forged_body = _b64(json.dumps(claims(sub="P0002")).encode())
    bad = {
        "forged signature": sign(claims(), alg="RS256", key=other),
        "changed claims": f"{head}.{forged_body}.{sig}",
        "alg none": f"{_b64(json.dumps({'alg': 'none'}).encode())}.{body}.",
        "HS256 with the public key as secret": sign(claims(), alg="HS256", key=rsa_key["pem"]),
        "wrong issuer": sign(claims(iss="https://evil.example"), alg="RS256", key=rsa_key),
        "wrong audience": sign(claims(aud="another-service"), alg="RS256", key=rsa_key),
        "expired": sign(claims(iat=now - 600, exp=now - 400), alg="RS256", key=rsa_key),
        "from the future": sign(claims(iat=now + 600, exp=now + 700), alg="RS256", key=rsa_key),
        "lives a day": sign(claims(exp=now + 86400), alg="RS256", key=rsa_key),
        "no exp": sign(claims(exp=None), alg="RS256", key=rsa_key),
        "path-like subject": sign(claims(sub="../P0001"), alg="RS256", key=rsa_key),
        "not a JWS": "this-is-not-a-jws-at-all-really",
    }
    for what, assertion in bad.items():
        r = rs_client.post("/v1/auth/citizen-assertion", json={"assertion": assertion})
        assert r.status_code in (401, 422), (what, r.status_code, r.text)
        assert "token" not in r.json(), what
    # Single use: a replayed assertion is refused.
    assert rs_client.post("/v1/auth/citizen-assertion", json={"assertion": good}).status_code == 200
    assert rs_client.post("/v1/auth/citizen-assertion", json={"assertion": good}).status_code == 401


def test_hs256_shared_secret(tmp_path, fast_assistant, svc):
    with _app(tmp_path, fast_assistant, svc, HS_SECRET) as c:
        ok = c.post("/v1/auth/citizen-assertion", json={"assertion": sign(claims(sub="P0002"), alg="HS256", key=HS_SECRET)})
        assert ok.status_code == 200 and ok.json()["subject"] == "P0002"
        wrong = sign(claims(), alg="HS256", key="x" * 40)
        assert c.post("/v1/auth/citizen-assertion", json={"assertion": wrong}).status_code == 401


def test_not_configured_is_a_clear_403(tmp_path, fast_assistant, svc):
    with _app(tmp_path, fast_assistant, svc, None) as c:
        r = c.post("/v1/auth/citizen-assertion", json={"assertion": sign(claims(), alg="HS256", key=HS_SECRET)})
        assert r.status_code == 403 and "YJS_IDP_ASSERTION_KEY" in r.json()["error"]["message"]


def test_a_weak_or_unreadable_key_stops_startup(tmp_path):
    from core.errors import ConfigurationError
    from core.identity import identity_assertions

    for key, issuer in (("short", ISSUER), ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", ISSUER),
                        (HS_SECRET, "")):
        s = Settings(data_dir=tmp_path, idp_assertion_key=key, idp_issuer=issuer)
        with pytest.raises(ConfigurationError):
            identity_assertions(s)


def test_an_assertion_is_single_use_across_workers(tmp_path, fast_assistant, svc):
    """Two app processes on one state database (two workers behind a load balancer): an assertion
    exchanged at one is refused at the other, and also after a restart (a new app)."""
    good = sign(claims(jti="same-jti-everywhere"), alg="HS256", key=HS_SECRET)
    with _app(tmp_path, fast_assistant, svc, HS_SECRET) as one, _app(tmp_path, fast_assistant, svc, HS_SECRET) as two:
        assert one.post("/v1/auth/citizen-assertion", json={"assertion": good}).status_code == 200
        r = two.post("/v1/auth/citizen-assertion", json={"assertion": good})
        assert r.status_code == 401 and "used already" in r.json()["error"]["message"]
    with _app(tmp_path, fast_assistant, svc, HS_SECRET) as restarted:
        assert restarted.post("/v1/auth/citizen-assertion", json={"assertion": good}).status_code == 401
        # Another assertion (its own jti) still works.
        fresh = sign(claims(), alg="HS256", key=HS_SECRET)
        assert restarted.post("/v1/auth/citizen-assertion", json={"assertion": fresh}).status_code == 200


def test_used_ids_expire_from_the_shared_table(tmp_path):
    from sqlalchemy import func, select

    from core.once import SharedSingleUse, UsedIdRow

    now = [1_000_000.0]
    used = SharedSingleUse(f"sqlite:///{(tmp_path / 'state.db').as_posix()}", clock=lambda: now[0])
    assert used.claim("a", now[0] + 60) and not used.claim("a", now[0] + 60)
    assert used.claim("b", now[0] + 600)
    now[0] += 120  # "a" expired: dropped on the next claim, so the table only holds live ids
    assert used.claim("c", now[0] + 60)
    with used.db.session() as s:
        assert s.scalar(select(func.count()).select_from(UsedIdRow)) == 2
