"""Local stand-ins for the push services, speaking their protocols over real HTTP on 127.0.0.1.

- `WebPushReceiver`: a push service endpoint (RFC 8030) that checks the VAPID JWT (RFC 8292:
  ES256 signed by the `k` key, `aud` = its own origin, `exp` in the future, a `sub`) and
  decrypts the payload (RFC 8291, aes128gcm) with the subscription's private key, as the
  browser would.
- `FcmStandIn`: Google's OAuth2 token endpoint (JWT-bearer grant, checked against the service
  account's public key) and FCM HTTP v1 `messages:send`, answering with FCM's own error bodies.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def vapid_private_key() -> str:
    """A fresh VAPID key as base64url DER, the form py-vapid reads from a string."""
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return b64url(der)


class _Server:
    def __init__(self, handler_cls) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def _reply(self, status: int, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))


class _WebPushHandler(_Handler):
    def do_POST(self):  # noqa: N802
        owner: WebPushReceiver = self.server.owner
        sub_id = self.path.rsplit("/", 1)[-1]
        sub = owner.subscriptions.get(sub_id)
        body = self._body()
        if sub is None:
            return self._reply(404)
        try:
            claims = owner.check_vapid(self.headers.get("Authorization", ""))
            payload = http_ece.decrypt(
                body, private_key=sub["private_key"], auth_secret=sub["auth"], version="aes128gcm"
            )
        except Exception as error:  # noqa: BLE001 (any failure is the sender's fault)
            owner.rejected.append(f"{type(error).__name__}: {error}")
            return self._reply(400, {"error": str(error)})
        behaviour = sub["behaviour"]
        if behaviour == "slow":
            time.sleep(owner.delay)
        owner.received.append(
            {
                "subscription": sub_id,
                "claims": claims,
                "topic": self.headers.get("Topic"),
                "ttl": self.headers.get("TTL"),
                "encoding": self.headers.get("Content-Encoding"),
                "payload": json.loads(payload),
            }
        )
        if behaviour == "gone":
            return self._reply(410)
        if behaviour == "busy":
            return self._reply(429, headers={"Retry-After": "7"})
        if behaviour == "error":
            return self._reply(500)
        return self._reply(201, headers={"Location": f"{owner.origin}/m/{secrets.token_hex(4)}"})


class WebPushReceiver(_Server):
    def __init__(self, delay: float = 0.0) -> None:
        super().__init__(_WebPushHandler)
        self.subscriptions: dict[str, dict] = {}
        self.received: list[dict] = []
        self.rejected: list[str] = []
        self.delay = delay

    def subscribe(self, behaviour: str = "ok") -> dict:
        """A browser subscription, as PushSubscription.toJSON() gives it."""
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        auth = os.urandom(16)
        sub_id = secrets.token_hex(8)
        self.subscriptions[sub_id] = {"private_key": key, "auth": auth, "behaviour": behaviour}
        return {
            "endpoint": f"{self.origin}/push/{sub_id}",
            "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
        }

    def check_vapid(self, header: str) -> dict:
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError("not a vapid Authorization header")
        fields = dict(p.strip().split("=", 1) for p in params.split(","))
        raw = b64url_decode(fields["k"])
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        claims = jwt.decode(
            fields["t"],
            public,
            algorithms=["ES256"],
            audience=self.origin,
            options={"require": ["exp", "aud", "sub"]},
        )
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            raise ValueError("sub must be a mailto: or https: URL")
        if claims["exp"] > time.time() + 24 * 3600:
            raise ValueError("exp more than 24 hours ahead")
        return claims


def fcm_error(
    code: int,
    status: str,
    message: str,
    error_code: str | None = None,
    field_violation: str | None = None,
) -> dict:
    details = []
    if error_code:
        details.append(
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": error_code,
            }
        )
    if field_violation:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [
                    {"field": field_violation, "description": "Invalid registration token"}
                ],
            }
        )
    return {"error": {"code": code, "message": message, "status": status, "details": details}}


# FCM's answers by the registration token's prefix.
FCM_ANSWERS = {
    "gone": (
        404,
        fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"),
        {},
    ),
    "bad": (
        400,
        fcm_error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "INVALID_ARGUMENT",
            "message.token",
        ),
        {},
    ),
    "quota": (
        429,
        fcm_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.", "QUOTA_EXCEEDED"),
        {"Retry-After": "11"},
    ),
    "down": (
        503,
        fcm_error(503, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE"),
        {},
    ),
    "auth": (
        401,
        fcm_error(
            401,
            "UNAUTHENTICATED",
            "Auth error from APNS or Web Push Service",
            "THIRD_PARTY_AUTH_ERROR",
        ),
        {},
    ),
}


class _FcmHandler(_Handler):
    def do_POST(self):  # noqa: N802
        owner: FcmStandIn = self.server.owner
        body = self._body()
        if self.path == "/token":
            form = urllib.parse.parse_qs(body.decode())
            try:
                assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
                # Google's token endpoint is the audience whatever URI the request went to.
                claims = jwt.decode(
                    form["assertion"][0],
                    owner.public_key,
                    algorithms=["RS256"],
                    audience="https://oauth2.googleapis.com/token",
                )
                assert claims["iss"] == owner.client_email
                assert "firebase.messaging" in claims["scope"]
            except Exception as error:  # noqa: BLE001
                return self._reply(400, {"error": "invalid_grant", "error_description": str(error)})
            token = secrets.token_urlsafe(16)
            owner.tokens.add(token)
            return self._reply(
                200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
            )
        expected = f"/v1/projects/{owner.project_id}/messages:send"
        if self.path != expected:
            return self._reply(404, fcm_error(404, "NOT_FOUND", "no such project"))
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in owner.tokens:
            return self._reply(
                401,
                fcm_error(
                    401, "UNAUTHENTICATED", "Request had invalid authentication credentials."
                ),
            )
        message = json.loads(body)["message"]
        owner.received.append(message)
        prefix = message["token"].split("-", 1)[0]
        if prefix in FCM_ANSWERS:
            status, answer, headers = FCM_ANSWERS[prefix]
            return self._reply(status, answer, headers)
        return self._reply(
            200, {"name": f"projects/{owner.project_id}/messages/{secrets.randbelow(10**12)}"}
        )


class FcmStandIn(_Server):
    project_id = "infusion-diary-test"
    client_email = "push@infusion-diary-test.iam.gserviceaccount.com"

    def __init__(self) -> None:
        super().__init__(_FcmHandler)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self.key.public_key()
        self.token_uri = f"{self.origin}/token"
        self.tokens: set[str] = set()
        self.received: list[dict] = []

    def service_account(self) -> dict:
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": "test-key-1",
            "private_key": pem,
            "client_email": self.client_email,
            "client_id": "1",
            "token_uri": self.token_uri,
        }
