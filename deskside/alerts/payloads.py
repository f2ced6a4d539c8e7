"""Parsing what monitoring tools send into `AlertEvent`s: Prometheus Alertmanager's webhook
JSON (version 4) and the generic events API (PagerDuty Events v2 shaped).

Every check names the field at fault (`alerts[2].labels`, `payload.summary` ...), and a payload
is checked whole before any of it is stored, so a bad alert in a group leaves nothing
half-written.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deskside.alerts.exceptions import InvalidPayload, MalformedPayload
from deskside.core import jsonbody

MAX_KEY = 255
MAX_SUMMARY = 1024
MAX_SOURCE = 255
MAX_SEVERITY = 40
MAX_ALERTS = 1000

TRIGGER, ACKNOWLEDGE, RESOLVE = "trigger", "acknowledge", "resolve"
ACTIONS = (TRIGGER, ACKNOWLEDGE, RESOLVE)


@dataclass
class AlertEvent:
    """One alert's news: trigger, acknowledge or resolve of `dedup_key`, with what describes
    it. `organization` is the client slug the payload names (a label or field), if any;
    `generated_key` is True when the key was made here (the caller is told it)."""

    action: str
    dedup_key: str
    summary: str = ""
    source: str = ""
    severity: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    organization: str | None = None
    generated_key: bool = False


def load_json(body: bytes) -> dict[str, Any]:
    """The body read as the whole API reads JSON (`core.jsonbody`: depth limit, no NUL, lone
    surrogate, NaN or Infinity), its refusals as this app's errors."""
    try:
        data = jsonbody.loads(body)
    except jsonbody.BadInput as exc:
        if exc.status_code == 400:
            raise MalformedPayload(exc.message) from None
        raise InvalidPayload(
            f"{exc.field}: {exc.message}" if exc.field else exc.message, field=exc.field
        ) from None
    if not isinstance(data, dict):
        raise MalformedPayload("the body must be a JSON object")
    return data


def _text(value: Any, where: str, *, required: bool = False, limit: int = 0) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidPayload(f"{where} must be a string", field=where)
    value = value.strip()
    if required and not value:
        raise InvalidPayload(f"{where} is required", field=where)
    return value[:limit] if limit else value


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidPayload(f"{where} must be an object", field=where)
    return value


def _string_map(value: Any, where: str) -> dict[str, str]:
    data = _object(value, where)
    for key, item in data.items():
        if not isinstance(item, str):
            raise InvalidPayload(f"{where}.{key} must be a string", field=f"{where}.{key}")
    return data


def labels_key(labels: dict[str, str]) -> str:
    """A stable de-duplication key from a label set (when Alertmanager sends no fingerprint)."""
    canonical = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _timestamp(value: Any, where: str) -> str:
    text = _text(value, where)
    if text:
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidPayload(f"{where} is not an ISO 8601 time", field=where) from None
    return text


# -- Alertmanager ------------------------------------------------------------------------------


def parse_alertmanager(data: dict[str, Any], organization_label: str) -> list[AlertEvent]:
    """The alerts of one Alertmanager webhook notification (version 4).

    Each alert's labels are the group's common labels overlaid with its own; the dedup key is
    its fingerprint, or a hash of its sorted labels when there is none; the summary is
    annotations.summary, else .description, else the alertname label; the severity is
    labels.severity. `firing` triggers, `resolved` resolves."""
    version = data.get("version")
    if version is not None and str(version) != "4":
        raise InvalidPayload(
            f"webhook version {version!r} is not supported (Alertmanager sends 4)", field="version"
        )
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        raise InvalidPayload("alerts must be a list of alerts", field="alerts")
    if not alerts:
        raise InvalidPayload("alerts is empty", field="alerts")
    if len(alerts) > MAX_ALERTS:
        raise InvalidPayload(f"more than {MAX_ALERTS} alerts in one request", field="alerts")
    common_labels = _string_map(data.get("commonLabels"), "commonLabels")
    common_annotations = _string_map(data.get("commonAnnotations"), "commonAnnotations")
    external_url = _text(data.get("externalURL"), "externalURL")
    events = []
    for i, item in enumerate(alerts):
        where = f"alerts[{i}]"
        if not isinstance(item, dict):
            raise InvalidPayload(f"{where} must be an object", field=where)
        status = item.get("status")
        if status not in ("firing", "resolved"):
            raise InvalidPayload(
                f"{where}.status must be firing or resolved", field=f"{where}.status"
            )
        labels = {**common_labels, **_string_map(item.get("labels"), f"{where}.labels")}
        if not labels:
            raise InvalidPayload(f"{where}.labels is empty", field=f"{where}.labels")
        annotations = {
            **common_annotations,
            **_string_map(item.get("annotations"), f"{where}.annotations"),
        }
        fingerprint = _text(item.get("fingerprint"), f"{where}.fingerprint", limit=MAX_KEY)
        summary = (
            annotations.get("summary")
            or annotations.get("description")
            or labels.get("alertname")
            or "Alert"
        )
        details: dict[str, Any] = {"annotations": annotations}
        for name in ("startsAt", "endsAt"):
            if stamp := _timestamp(item.get(name), f"{where}.{name}"):
                details[name] = stamp
        if generator := _text(item.get("generatorURL"), f"{where}.generatorURL"):
            details["generatorURL"] = generator
        if external_url:
            details["externalURL"] = external_url
        events.append(
            AlertEvent(
                action=TRIGGER if status == "firing" else RESOLVE,
                dedup_key=fingerprint or labels_key(labels),
                summary=summary.strip()[:MAX_SUMMARY],
                source=(labels.get("instance") or labels.get("job") or "")[:MAX_SOURCE],
                severity=labels.get("severity", "").strip().lower()[:MAX_SEVERITY],
                details=details,
                labels=labels,
                organization=labels.get(organization_label) or None,
            )
        )
    return events


# -- events API --------------------------------------------------------------------------------


def parse_event(data: dict[str, Any]) -> AlertEvent:
    """One event of the generic events API:

        {"event_action": "trigger" | "acknowledge" | "resolve", "dedup_key": "...",
         "payload": {"summary", "source", "severity", "custom_details", "timestamp"},
         "organization": "client-slug"}

    `payload` with a summary is required on trigger; `dedup_key` is required on acknowledge and
    resolve, and made here on a trigger without one."""
    action = data.get("event_action")
    if action not in ACTIONS:
        raise InvalidPayload(
            "event_action must be one of trigger, acknowledge, resolve", field="event_action"
        )
    key = _text(data.get("dedup_key"), "dedup_key")
    if len(key) > MAX_KEY:
        raise InvalidPayload(f"dedup_key is longer than {MAX_KEY} characters", field="dedup_key")
    generated = False
    if not key:
        if action != TRIGGER:
            raise InvalidPayload(f"dedup_key is required to {action}", field="dedup_key")
        key, generated = uuid.uuid4().hex, True
    organization = _text(data.get("organization"), "organization") or None
    if action != TRIGGER:
        return AlertEvent(action=action, dedup_key=key, organization=organization)
    if "payload" not in data:
        raise InvalidPayload("payload is required on trigger", field="payload")
    payload = _object(data.get("payload"), "payload")
    summary = _text(payload.get("summary"), "payload.summary", required=True)
    if len(summary) > MAX_SUMMARY:
        raise InvalidPayload(
            f"payload.summary is longer than {MAX_SUMMARY} characters", field="payload.summary"
        )
    details: dict[str, Any] = {}
    custom = payload.get("custom_details")
    if custom is not None:
        details["custom_details"] = custom
    if stamp := _timestamp(payload.get("timestamp"), "payload.timestamp"):
        details["timestamp"] = stamp
    return AlertEvent(
        action=TRIGGER,
        dedup_key=key,
        summary=summary,
        source=_text(payload.get("source"), "payload.source", limit=MAX_SOURCE),
        severity=_text(payload.get("severity"), "payload.severity", limit=MAX_SEVERITY).lower(),
        details=details,
        organization=organization,
        generated_key=generated,
    )
