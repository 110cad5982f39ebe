"""Push providers: Web Push (RFC 8030/8291 with VAPID, through pywebpush), FCM HTTP v1
(OAuth2 service account, through google-auth), and a log provider for development.

Each answers a send with a `PushResult` that the dispatcher acts on: delivered, token gone
(disable the device), retry later (with the provider's Retry-After when given), or a
configuration problem (keep the token, retry later, and tell the operator loudly).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from google.auth.exceptions import GoogleAuthError
from google.auth.transport.requests import Request
from google.oauth2 import service_account as sa
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

log = logging.getLogger("infusion_diary.push")


@dataclass(frozen=True)
class Target:
    platform: str
    token: str | None = None
    endpoint: str | None = None
    p256dh: str | None = None
    auth: str | None = None


@dataclass(frozen=True)
class PushResult:
    outcome: str  # "sent" | "gone" | "retry" | "config"
    detail: str = ""
    retry_after: float | None = None

    @classmethod
    def sent(cls, detail: str = "") -> PushResult:
        return cls("sent", detail)


class Provider(Protocol):
    def send(self, target: Target, message: dict[str, Any], collapse_id: str) -> PushResult: ...


def collapse_id(dedupe_key: str) -> str:
    """A stable id per notification, within Web Push's Topic limit (32 URL-safe chars)."""
    digest = hashlib.sha256(dedupe_key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class LogProvider:
    """Development default: says that it would send, and nothing of what."""

    def send(self, target: Target, message: dict[str, Any], collapse_id: str) -> PushResult:
        log.info(
            "push (log provider): %s notification to a %s device, id %s",
            message.get("kind"),
            target.platform,
            collapse_id,
        )
        return PushResult.sent("logged")


class WebPushProvider:
    def __init__(self, vapid_private_key: str, subject: str, ttl: int, timeout: float) -> None:
        self._vapid = Vapid.from_string(private_key=vapid_private_key)
        self.subject = subject
        self.ttl = ttl
        self.timeout = timeout

    def send(self, target: Target, message: dict[str, Any], collapse_id: str) -> PushResult:
        subscription = {
            "endpoint": target.endpoint,
            "keys": {"p256dh": target.p256dh, "auth": target.auth},
        }
        try:
            webpush(
                subscription,
                data=json.dumps(message),
                vapid_private_key=self._vapid,
                # pywebpush writes aud and exp into the dict: a fresh one every call.
                vapid_claims={"sub": self.subject},
                ttl=self.ttl,
                timeout=self.timeout,
                headers={"Topic": collapse_id, "Urgency": "normal"},
            )
        except WebPushException as error:
            response = error.response
            status = getattr(response, "status_code", None)
            if status in (404, 410):
                return PushResult("gone", f"web push {status}")
            if status == 429 or (status is not None and status >= 500):
                return PushResult(
                    "retry", f"web push {status}", _retry_after(getattr(response, "headers", None))
                )
            if status in (400, 401, 403, 413):
                return PushResult("config", f"web push {status}")
            return PushResult("retry", "web push failed without a response")
        except requests.RequestException as error:
            return PushResult("retry", f"web push transport: {type(error).__name__}")
        return PushResult.sent()


FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


class FCMProvider:
    """FCM HTTP v1: POST {endpoint}/v1/projects/{project}/messages:send with an OAuth2 token
    from a service account (the token URI comes from the service account, so a stand-in can
    play Google in tests)."""

    def __init__(
        self, service_account: dict[str, Any], project_id: str | None, endpoint: str, timeout: float
    ) -> None:
        self._credentials = sa.Credentials.from_service_account_info(
            service_account, scopes=[FCM_SCOPE]
        )
        self.project_id = project_id or service_account["project_id"]
        self.url = f"{endpoint.rstrip('/')}/v1/projects/{self.project_id}/messages:send"
        self.timeout = timeout
        self._http = requests.Session()
        self._lock = threading.Lock()

    def _token(self) -> str:
        with self._lock:
            if not self._credentials.valid:
                self._credentials.refresh(Request(self._http))
            return self._credentials.token

    def send(self, target: Target, message: dict[str, Any], collapse_id: str) -> PushResult:
        try:
            token = self._token()
        except (GoogleAuthError, requests.RequestException) as error:
            return PushResult("config", f"fcm credentials: {type(error).__name__}")
        body = {
            "message": {
                "token": target.token,
                "notification": {"title": message["title"], "body": message["body"]},
                "data": {k: str(v) for k, v in message.items()},
                "android": {"collapse_key": collapse_id, "priority": "NORMAL"},
                "apns": {"headers": {"apns-collapse-id": collapse_id}},
            }
        }
        try:
            response = self._http.post(
                self.url,
                json=body,
                timeout=self.timeout,
                headers={"Authorization": f"Bearer {token}"},
            )
        except requests.RequestException as error:
            return PushResult("retry", f"fcm transport: {type(error).__name__}")
        if response.status_code == 200:
            return PushResult.sent(response.json().get("name", ""))
        code = _fcm_error_code(response)
        if code == "UNREGISTERED" or (code == "INVALID_ARGUMENT" and _about_token(response)):
            return PushResult("gone", f"fcm {code}")
        if code in ("QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL") or response.status_code in (
            429,
            500,
            502,
            503,
            504,
        ):
            return PushResult(
                "retry", f"fcm {code or response.status_code}", _retry_after(response.headers)
            )
        if code in ("THIRD_PARTY_AUTH_ERROR", "SENDER_ID_MISMATCH") or response.status_code in (
            401,
            403,
        ):
            self._credentials.token = None  # fetch a fresh token next time
            return PushResult("config", f"fcm {code or response.status_code}")
        return PushResult("config", f"fcm {code or response.status_code}")


def _fcm_error(response: requests.Response) -> dict[str, Any]:
    try:
        return response.json().get("error", {}) or {}
    except ValueError:
        return {}


def _fcm_error_code(response: requests.Response) -> str | None:
    error = _fcm_error(response)
    for detail in error.get("details", []) or []:
        if detail.get("@type", "").endswith("FcmError") and detail.get("errorCode"):
            return detail["errorCode"]
    return error.get("status")


def _about_token(response: requests.Response) -> bool:
    """An INVALID_ARGUMENT that names the registration token (not our message)."""
    error = _fcm_error(response)
    for detail in error.get("details", []) or []:
        for violation in detail.get("fieldViolations", []) or []:
            if "token" in violation.get("field", ""):
                return True
    return "registration token" in (error.get("message") or "").lower()


def build_providers(cfg) -> dict[str, Provider]:
    """Providers per platform from the job settings; the log provider where one is not set up."""
    providers: dict[str, Provider] = {"fcm": LogProvider(), "webpush": LogProvider()}
    if cfg.webpush_vapid_private_key:
        providers["webpush"] = WebPushProvider(
            cfg.webpush_vapid_private_key,
            cfg.webpush_vapid_subject,
            cfg.webpush_ttl_seconds,
            cfg.push_timeout_seconds,
        )
    if cfg.fcm_service_account:
        providers["fcm"] = FCMProvider(
            cfg.fcm_service_account, cfg.fcm_project_id, cfg.fcm_endpoint, cfg.push_timeout_seconds
        )
    return providers
