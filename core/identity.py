"""Who is calling: citizens (a person in the shared-data registry) and help-desk staff.

One place for identity, so a real deployment plugs its login (统一身份认证, e.g. a provincial SSO)
in here and nothing else changes:

- `TokenSigner` issues and checks signed, expiring tokens (itsdangerous) for both kinds of user.
- `StaffDirectory` checks staff passwords against salted scrypt hashes from settings; a demo clerk
  exists only in development.
- `check_production_safety` refuses to start production with a default secret, the demo login,
  a demo staff account or plain-text passwords.

The demo identity (choose a synthetic person) is allowed only when ``demo_login`` is on and the
environment is not production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.errors import ConfigurationError, Unauthorized
from core.once import LocalSingleUse, SharedSingleUse, SingleUse

log = logging.getLogger(__name__)

Kind = Literal["citizen", "staff"]
DEFAULT_SECRET = "dev-only-insecure-secret"
DEMO_STAFF_USER = "clerk"
DEMO_STAFF_PASSWORD = "clerk-demo"  # development only; production refuses to start with it
TOKEN_TTL_S = 8 * 3600


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. `subject` is a person id (citizen) or a staff user name."""

    kind: Kind
    subject: str
    via_staff: str | None = None  # set when a clerk acts for a citizen (帮办代办) under a consent code

    @property
    def actor(self) -> str:
        """How the audit log names the one acting: ``citizen:P0001`` or ``staff:clerk for citizen:P0001``."""
        me = f"{self.kind}:{self.subject}"
        return f"staff:{self.via_staff} for {me}" if self.via_staff else me


class TokenSigner:
    """Signed, expiring bearer tokens (``Authorization: Bearer <token>``)."""

    def __init__(self, secret: str, ttl_s: int = TOKEN_TTL_S) -> None:
        if not secret:
            raise ConfigurationError("YJS_SECRET_KEY must not be empty")
        self.ttl_s = ttl_s
        self._s = URLSafeTimedSerializer(secret, salt="yjs-token")

    def issue(self, kind: Kind, subject: str, via_staff: str | None = None) -> str:
        return self._s.dumps({"k": kind, "s": subject, "v": via_staff})

    def verify(self, token: str, kind: Kind | None = None) -> Principal:
        try:
            data = self._s.loads(token, max_age=self.ttl_s)
        except SignatureExpired as exc:
            raise Unauthorized("the session has expired; please sign in again") from exc
        except BadSignature as exc:
            raise Unauthorized("the session token is not valid; please sign in") from exc
        if not isinstance(data, dict) or data.get("k") not in ("citizen", "staff") or not data.get("s"):
            raise Unauthorized("the session token is not valid; please sign in")
        if kind and data["k"] != kind:
            raise Unauthorized(f"this needs a {kind} sign-in")
        return Principal(data["k"], str(data["s"]), data.get("v"))


# --- conversation ids issued to API clients ------------------------------------------------------
class SessionIds:
    """The conversation ids the HTTP API hands out: ``<nonce>.<tag>``.

    The nonce is 128 random bits; the tag is an HMAC of the nonce and the client (its API key id when
    keys are configured, else nothing) under the signing secret. So an id is unguessable, issued
    only by the server, bound to the client that got it, and checked by any worker without a
    database look-up. A caller-chosen string never names a stored conversation: the API starts a
    new one instead (or answers 404 where a conversation must already exist). The conversation is
    stored under the nonce alone (`conversation_id`), so what staff see cannot be used to speak as
    the citizen. Ids made in-process (the web UI, the CLI) carry no tag and so can never be reached
    over HTTP.
    """

    SHAPE = re.compile(r"^[0-9a-f]{32}\.[A-Za-z0-9_-]{22}$")

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ConfigurationError("YJS_SECRET_KEY must not be empty")
        self._key = hmac.new(secret.encode("utf-8"), b"yjs-session-id", hashlib.sha256).digest()

    def _tag(self, nonce: str, client: str | None) -> str:
        mac = hmac.new(self._key, f"{client or ''}\x00{nonce}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode("ascii")[:22]

    def issue(self, client: str | None = None) -> str:
        nonce = secrets.token_hex(16)
        return f"{nonce}.{self._tag(nonce, client)}"

    def check(self, session_id: str | None, client: str | None = None) -> bool:
        """True only for an id this server issued to this client."""
        if not session_id or not self.SHAPE.match(session_id):
            return False
        nonce, tag = session_id.split(".")
        return hmac.compare_digest(tag, self._tag(nonce, client))

    @staticmethod
    def conversation_id(session_id: str) -> str:
        """The stored conversation's id for an issued session id: its nonce. Staff see and use this one
        (the queue, the transcript, the audit log); the session id itself is a bearer secret (whoever
        holds it speaks as the citizen) and is never stored or shown. Without the tag, an HMAC under
        the server's secret, the nonce cannot be turned back into a session id."""
        return session_id.split(".", 1)[0]


# --- citizens signed in by the deployment's 统一身份认证 ------------------------------------------------
_SUBJECT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_RSA_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1 rsaEncryption
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _der(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """One DER element at `pos`: (tag, content, position after it)."""
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        length, pos = int.from_bytes(data[pos:pos + n], "big"), pos + n
    if pos + length > len(data):
        raise ValueError("truncated DER")
    return tag, data[pos:pos + length], pos + length


def _der_seq(data: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(data):
        tag, content, pos = _der(data, pos)
        out.append((tag, content))
    return out


def rsa_public_key(pem: str) -> tuple[int, int]:
    """(n, e) of an RSA public key in PEM: SubjectPublicKeyInfo ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY").
    The PEM may be on one line, or have its line breaks written as ``\\n`` (as in an environment variable)."""
    m = re.search(r"-----BEGIN (RSA )?PUBLIC KEY-----(.*?)-----END", pem.replace("\\n", "\n"), re.S)
    try:
        if m is None:
            raise ValueError("no PEM public key")
        tag, content, _ = _der(base64.b64decode(re.sub(r"\s", "", m.group(2))))
        parts = _der_seq(content)
        if not m.group(1):  # SPKI: SEQUENCE {SEQUENCE {OID, NULL}, BIT STRING {RSAPublicKey}}
            algorithm = _der_seq(parts[0][1])
            if algorithm[0][1] != _RSA_OID or parts[1][0] != 0x03:
                raise ValueError("not an RSA key")
            tag, content, _ = _der(parts[1][1][1:])  # skip the unused-bits byte
            parts = _der_seq(content)
        n, e = (int.from_bytes(v, "big") for _, v in parts[:2])
    except (ValueError, IndexError, TypeError) as exc:
        raise ConfigurationError("YJS_IDP_ASSERTION_KEY is not a readable RSA public key (PEM)") from exc
    if n.bit_length() < 2048:
        log.warning("the identity provider's RSA key has only %d bits", n.bit_length())
    return n, e


class IdentityAssertions:
    """Verifies a citizen identity asserted by the deployment's 统一身份认证 (unified identity platform).

    An external app's backend, which has signed the citizen in through that platform, passes the
    platform's signed assertion — a compact JWS (JWT) with ``iss``, ``aud``, ``sub`` (the citizen's
    person id in the shared-data registry), ``iat`` and ``exp`` — and gets a citizen token in
    return. The algorithm is fixed by the configured key, never taken from the assertion: an RSA
    public key (PEM) means RS256, anything else is an HMAC secret (HS256, 32+ characters). Each
    assertion is single-use in this process (``jti`` when present, else the signature) and may live
    at most ``max_age_s``; a clock skew of ``leeway_s`` is tolerated. `used` records the assertions
    already exchanged: `core.once.SharedSingleUse` (the state database) in the app, so an assertion
    is single-use across every worker; this process alone by default.
    """

    def __init__(self, key: str, *, issuer: str, audience: str, max_age_s: int = 300, leeway_s: int = 60,
                 clock=time.time, used: SingleUse | None = None) -> None:
        key = (key or "").strip()
        if not issuer:
            raise ConfigurationError("YJS_IDP_ISSUER must name the identity provider when YJS_IDP_ASSERTION_KEY is set")
        if "-----BEGIN" in key:
            self.alg, self._rsa, self._secret = "RS256", rsa_public_key(key), b""
        elif len(key) >= 32:
            self.alg, self._rsa, self._secret = "HS256", (0, 0), key.encode("utf-8")
        else:
            raise ConfigurationError("YJS_IDP_ASSERTION_KEY must be an RSA public key (PEM) or a shared secret of "
                                     "32+ characters")
        self.issuer, self.audience = issuer, audience
        self.max_age_s, self.leeway_s, self.clock = max_age_s, leeway_s, clock
        self.used = used or LocalSingleUse(clock=clock)

    def _signature_ok(self, signed: bytes, sig: bytes) -> bool:
        if self.alg == "HS256":
            return hmac.compare_digest(sig, hmac.new(self._secret, signed, hashlib.sha256).digest())
        n, e = self._rsa
        k = (n.bit_length() + 7) // 8
        s = int.from_bytes(sig, "big")
        if len(sig) != k or s >= n:
            return False
        digest = _SHA256_DIGEST_INFO + hashlib.sha256(signed).digest()
        expected = b"\x00\x01" + b"\xff" * (k - 3 - len(digest)) + b"\x00" + digest  # EMSA-PKCS1-v1_5
        return hmac.compare_digest(pow(s, e, n).to_bytes(k, "big"), expected)

    def verify(self, assertion: str) -> Principal:
        """The citizen the assertion names; Unauthorized (naming what is wrong) otherwise."""
        bad = "the identity assertion is not valid"
        try:
            head_b64, claims_b64, sig_b64 = assertion.strip().split(".")
            header = json.loads(_b64url(head_b64))
            claims = json.loads(_b64url(claims_b64))
            sig = _b64url(sig_b64)
        except (ValueError, AttributeError) as exc:
            raise Unauthorized(f"{bad}: expected a compact JWS (header.claims.signature)") from exc
        if not isinstance(header, dict) or header.get("alg") != self.alg:
            raise Unauthorized(f"{bad}: this service accepts {self.alg} assertions only")
        if not self._signature_ok(f"{head_b64}.{claims_b64}".encode("ascii"), sig):
            raise Unauthorized(f"{bad}: the signature does not verify")
        if not isinstance(claims, dict):
            raise Unauthorized(f"{bad}: the claims are not an object")
        now = self.clock()
        aud = claims.get("aud")
        if claims.get("iss") != self.issuer:
            raise Unauthorized(f"{bad}: unexpected issuer")
        if not (aud == self.audience or (isinstance(aud, list) and self.audience in aud)):
            raise Unauthorized(f"{bad}: it is not addressed to this service (aud)")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (iat, exp)):
            raise Unauthorized(f"{bad}: iat and exp are required")
        if exp - iat > self.max_age_s:
            raise Unauthorized(f"{bad}: it lives longer than {self.max_age_s} s")
        if iat > now + self.leeway_s or exp <= now - self.leeway_s:
            raise Unauthorized(f"{bad}: it has expired or is not valid yet")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not _SUBJECT.match(subject):
            raise Unauthorized(f"{bad}: sub must be the citizen's person id")
        # Kept until it could no longer pass the expiry check above (exp plus the leeway).
        once = f"assertion\x00{self.issuer}\x00{claims.get('jti') or sig_b64}"
        if not self.used.claim(once, float(exp) + self.leeway_s):
            raise Unauthorized(f"{bad}: it has been used already")
        return Principal("citizen", subject)


def identity_assertions(settings) -> IdentityAssertions | None:
    """The verifier the settings configure, or None when citizens cannot sign in by assertion."""
    key = settings.idp_assertion_key.get_secret_value() if settings.idp_assertion_key else ""
    if not key.strip():
        return None
    return IdentityAssertions(key, issuer=settings.idp_issuer, audience=settings.idp_audience,
                              max_age_s=settings.idp_assertion_max_age_s,
                              used=SharedSingleUse(settings.resolved_database_url))


# --- staff passwords ----------------------------------------------------------------------------
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$<salt b64>$<hash b64>``; put the result in YJS_STAFF_ACCOUNTS, never the password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest_b64)
    got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt_b64), dklen=len(expected), **_SCRYPT)
    return hmac.compare_digest(got, expected)


class StaffDirectory:
    """Staff accounts: user → scrypt hash (settings.staff_accounts), plus the demo clerk in development."""

    def __init__(self, accounts: dict[str, str], *, allow_demo: bool) -> None:
        self.accounts = dict(accounts)
        if allow_demo and DEMO_STAFF_USER not in self.accounts:
            self.accounts[DEMO_STAFF_USER] = hash_password(DEMO_STAFF_PASSWORD)

    def authenticate(self, user: str, password: str) -> str:
        stored = self.accounts.get(user or "")
        # Check a dummy hash for unknown users too, so timing does not reveal which names exist.
        ok = verify_password(password or "", stored or hash_password("x", salt=b"0" * 16))
        if not (stored and ok):
            raise Unauthorized("unknown staff user or wrong password")
        return user


def check_production_safety(settings) -> None:
    """Startup refuses unsafe production settings; the message names each setting to fix."""
    problems = []
    if settings.secret_key.get_secret_value() in ("", DEFAULT_SECRET) or len(settings.secret_key.get_secret_value()) < 32:
        problems.append("YJS_SECRET_KEY must be set to a random value of 32+ characters")
    if settings.demo_login:
        problems.append("YJS_DEMO_LOGIN must be false (no demo identities in production)")
    if not settings.staff_accounts:
        problems.append("YJS_STAFF_ACCOUNTS must list staff users with scrypt hashes (no default admin)")
    for user, stored in settings.staff_accounts.items():
        if not stored.startswith("scrypt$"):
            problems.append(f"YJS_STAFF_ACCOUNTS[{user!r}] must be a scrypt hash (python -m assistant hash-password)")
        elif user == DEMO_STAFF_USER and verify_password(DEMO_STAFF_PASSWORD, stored):
            problems.append("the demo clerk password must not be used in production")
    for key in settings.api_keys:
        if len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key):
            problems.append("YJS_API_KEYS must hold SHA-256 hex digests of keys, not the keys themselves "
                            "(python -m assistant hash-api-key)")
            break
    if problems:
        raise ConfigurationError("refusing to start in production: " + "; ".join(problems))


# --- the signing secret ---------------------------------------------------------------------------
SECRET_FILE = "secret_key"


def signing_secret(settings) -> str:
    """The secret that signs tokens and consent codes: YJS_SECRET_KEY when set; otherwise a random
    one generated on first start and kept in ``<data_dir>/secret_key`` (mode 0600), so a
    development install never signs with a secret printed in the source. Production refuses to
    start without YJS_SECRET_KEY (`check_production_safety`). Safe for several workers starting at
    once: the first creates the file exclusively, the others read it."""
    configured = settings.secret_key.get_secret_value()
    if configured and configured != DEFAULT_SECRET:
        return configured
    path = Path(settings.data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another worker is writing it right now
            secret = path.read_text(encoding="ascii").strip()
            if secret:
                return secret
            time.sleep(0.05)
        raise ConfigurationError(f"{path} is empty: delete it or set YJS_SECRET_KEY") from None
    secret = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret)
    log.warning("YJS_SECRET_KEY is not set: generated a random signing secret in %s (development only; "
                "production must set YJS_SECRET_KEY)", path)
    return secret


# --- policy: the one place that decides whether demo identities exist ----------------------------
def demo_login_allowed(settings) -> bool:
    """Synthetic demo citizens (choose a seeded person) only with ``demo_login`` on, never in production."""
    return bool(settings.demo_login) and settings.environment != "production"


def demo_clerk_allowed(settings) -> bool:
    """The demo clerk account (``clerk`` / ``clerk-demo``) exists in development only."""
    return settings.environment != "production"
