"""Parsing what monitoring tools send into `AlertEvent`s: Prometheus Alertmanager's webhook
JSON (version 4) and the generic events API (PagerDuty Events v2 shaped).

Every check names the field at fault (`alerts[2].labels`, `payload.summary` ...). A fault in
the document itself (not JSON, no `alerts` list, another webhook version, bad common labels)
refuses the request; a fault in one alert of an Alertmanager group refuses only that alert
(a `Rejection`), so the group's good alerts are still taken and the sender, answered 2xx,
does not post the same group again forever.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deskside.alerts.exceptions import AlertError, InvalidPayload, MalformedPayload
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
    raw: Any = None  # the alert or event as sent (kept only if it is refused)


@dataclass
class Rejection:
    """One alert (or event) that cannot be taken: why (`reason`, `field` relative to the alert,
    e.g. `labels.client`), where it stood in the request (`index`, None for a lone event), its
    de-duplication key when one can be told ("" otherwise), the HTTP status it stands for and
    the alert as it was sent (`sample`, for the record of intake errors)."""

    reason: str
    field: str
    dedup_key: str = ""
    index: int | None = None
    status_code: int = 422
    sample: Any = None

    @property
    def path(self) -> str:
        """The field's full path in the request (`alerts[2].labels.client`)."""
        if self.index is None:
            return self.field
        return f"alerts[{self.index}].{self.field}" if self.field else f"alerts[{self.index}]"


def routing_key(data: dict[str, Any]) -> str:
    """The integration token sent PagerDuty's way, as `routing_key` in the body ("" if none)."""
    value = data.get("routing_key")
    return value.strip() if isinstance(value, str) else ""


def without_secrets(data: Any) -> Any:
    """The event as it may be kept for the record: without its routing key (the token)."""
    if isinstance(data, dict) and "routing_key" in data:
        return {k: ("[token]" if k == "routing_key" else v) for k, v in data.items()}
    return data


def load_json(body: bytes, *, checked: bool = True) -> dict[str, Any]:
    """The body read as the whole API reads JSON (`core.jsonbody`: depth limit, no NUL, lone
    surrogate, NaN or Infinity), its refusals as this app's errors. With `checked=False` only
    the syntax and the depth are checked: the caller checks the values part by part (an
    Alertmanager group refuses a bad alert alone, `parse_alertmanager`)."""
    try:
        data = jsonbody.loads(body) if checked else jsonbody.parse(body)
    except jsonbody.BadInput as exc:
        raise _payload_error(exc) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError (unchecked parsing)
        raise MalformedPayload(f"the body is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise MalformedPayload("the body must be a JSON object")
    return data


def _payload_error(exc: jsonbody.BadInput) -> AlertError:
    if exc.status_code == 400:
        return MalformedPayload(exc.message)
    return InvalidPayload(
        f"{exc.field}: {exc.message}" if exc.field else exc.message, field=exc.field
    )


def _checked(value: Any, where: str | None = None) -> None:
    """Raise InvalidPayload for text no database stores (NUL, a lone surrogate) or a number
    refused (NaN, Infinity, past 64 bits) anywhere in `value` (`core.jsonbody.check`)."""
    try:
        jsonbody.check(value, where)
    except jsonbody.BadInput as exc:
        raise _payload_error(exc) from None


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


def parse_alertmanager(
    data: dict[str, Any], organization_label: str
) -> list[AlertEvent | Rejection]:
    """The alerts of one Alertmanager webhook notification (version 4), in order: an
    `AlertEvent` for each good alert, a `Rejection` for each bad one. A bad document (another
    version, no alerts, bad common labels) raises InvalidPayload.

    Each alert's labels are the group's common labels overlaid with its own; the dedup key is
    its fingerprint, or a hash of its sorted labels when there is none; the summary is
    annotations.summary, else .description, else the alertname label; the severity is
    labels.severity. `firing` triggers, `resolved` resolves. `data` may come unchecked
    (`load_json(checked=False)`): the document around the alerts is checked whole, each alert
    on its own, so a NUL or a NaN in one alert rejects that alert only."""
    _checked({key: value for key, value in data.items() if key != "alerts"})
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
    events: list[AlertEvent | Rejection] = []
    for i, item in enumerate(alerts):
        try:
            event = _parse_alert(item, common_labels, common_annotations, external_url)
        except InvalidPayload as exc:
            events.append(
                Rejection(
                    reason=exc.message,
                    field=exc.field or "",
                    dedup_key=_key_of_bad_alert(item, common_labels),
                    index=i,
                    sample=item,
                )
            )
            continue
        event.organization = event.labels.get(organization_label) or None
        events.append(event)
    return events


def _parse_alert(
    item: Any,
    common_labels: dict[str, str],
    common_annotations: dict[str, str],
    external_url: str,
) -> AlertEvent:
    """One alert of a notification; InvalidPayload names the field relative to the alert."""
    _checked(item)
    if not isinstance(item, dict):
        raise InvalidPayload("the alert must be an object", field="")
    status = item.get("status")
    if status not in ("firing", "resolved"):
        raise InvalidPayload("status must be firing or resolved", field="status")
    labels = {**common_labels, **_string_map(item.get("labels"), "labels")}
    if not labels:
        raise InvalidPayload("labels is empty", field="labels")
    annotations = {**common_annotations, **_string_map(item.get("annotations"), "annotations")}
    fingerprint = _text(item.get("fingerprint"), "fingerprint", limit=MAX_KEY)
    summary = (
        annotations.get("summary")
        or annotations.get("description")
        or labels.get("alertname")
        or "Alert"
    )
    details: dict[str, Any] = {"annotations": annotations}
    for name in ("startsAt", "endsAt"):
        if stamp := _timestamp(item.get(name), name):
            details[name] = stamp
    if generator := _text(item.get("generatorURL"), "generatorURL"):
        details["generatorURL"] = generator
    if external_url:
        details["externalURL"] = external_url
    return AlertEvent(
        action=TRIGGER if status == "firing" else RESOLVE,
        dedup_key=fingerprint or labels_key(labels),
        summary=summary.strip()[:MAX_SUMMARY],
        source=(labels.get("instance") or labels.get("job") or "")[:MAX_SOURCE],
        severity=labels.get("severity", "").strip().lower()[:MAX_SEVERITY],
        details=details,
        labels=labels,
        raw=item,
    )


def _key_of_bad_alert(item: Any, common_labels: dict[str, str]) -> str:
    """The de-duplication key a refused alert would have had, as far as it can be told (its
    fingerprint, else a hash of its labels), so its repeats count on one intake error."""
    if not isinstance(item, dict):
        return ""
    fingerprint = item.get("fingerprint")
    if isinstance(fingerprint, str) and fingerprint.strip():
        return fingerprint.strip()[:MAX_KEY]
    labels = item.get("labels")
    if isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values()):
        merged = {**common_labels, **labels}
        if merged and all(isinstance(k, str) for k in merged):
            return labels_key(merged)
    return ""


# -- events API --------------------------------------------------------------------------------


def parse_event(data: dict[str, Any]) -> AlertEvent:  # noqa: C901 - one check per field, in order
    """One event of the events API (PagerDuty Events v2's alert event):

        {"event_action": "trigger" | "acknowledge" | "resolve", "dedup_key": "...",
         "payload": {"summary", "source", "severity", "custom_details", "timestamp",
                     "component", "group", "class"},
         "client", "client_url", "links",
         "routing_key": "<the integration's token>", "organization": "client-slug"}

    `payload` with a summary is required on trigger; `dedup_key` is required on acknowledge and
    resolve, and made here on a trigger without one. `routing_key` (PagerDuty's way to send
    the key) is read by the endpoint, never stored; `images` is ignored."""
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
        return AlertEvent(action=action, dedup_key=key, organization=organization, raw=data)
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
    # The rest of PagerDuty's common event format, and the sending tool's own link.
    for name in ("component", "group", "class"):
        if value := _text(payload.get(name), f"payload.{name}", limit=MAX_SOURCE):
            details[name] = value
    for name in ("client", "client_url"):
        if value := _text(data.get(name), name, limit=MAX_SUMMARY):
            details[name] = value
    if (links := data.get("links")) is not None:
        if not isinstance(links, list):
            raise InvalidPayload("links must be a list", field="links")
        details["links"] = links
    return AlertEvent(
        action=TRIGGER,
        dedup_key=key,
        summary=summary,
        source=_text(payload.get("source"), "payload.source", limit=MAX_SOURCE),
        severity=_text(payload.get("severity"), "payload.severity", limit=MAX_SEVERITY).lower(),
        details=details,
        organization=organization,
        generated_key=generated,
        raw=data,
    )
