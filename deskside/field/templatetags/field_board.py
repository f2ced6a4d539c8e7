"""The dispatch board's visit cards, written in Python (`{% board_card block %}`): a week of
50 technicians is thousands of cards, and the template engine took seconds for them where
string building takes milliseconds. What a card shows is the same as a template would: time,
ticket (linked), site, client, status, the second technician, the leg into it and each warning
as an icon and a sentence; the day view's cards also carry Move and Unschedule."""

from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from deskside.field.board import Block

register = template.Library()


def _e(value: object) -> str:
    return escape(str(value), quote=True)


class Urls:
    """The URLs a card links to, reversed once per page."""

    def __init__(self, here: str) -> None:
        self.ticket = reverse("tickets:detail", args=["T-0"]).replace("T-0", "{}")
        self.form = reverse("field:board_form")
        self.unschedule = reverse("field:board_unschedule", args=["VISIT"]).replace("VISIT", "{}")
        self.here = here
        self.here_q = _e(here + ("&" if "?" in here else "?"))
        self.next = _e(here)
        self.next_q = quote(here, safe="")


def card(block: Block, urls: Urls, csrf: str, *, actions: bool) -> str:
    visit = block.visit
    tz = timezone.get_current_timezone()
    begin = block.start.astimezone(tz).strftime("%H:%M")
    finish = block.end.astimezone(tz).strftime("%H:%M")
    scheduled = visit.status == "scheduled"
    classes = "fb-item warn" if block.warnings else "fb-item"
    out = [f'<div class="{classes}" id="b-{_e(visit.public_id)}-{block.role}"']
    if scheduled:
        second = visit.second_technician
        out.append(
            f' draggable="true" data-visit="{_e(visit.public_id)}" data-time="{begin}"'
            f' data-second="{_e(second.public_id) if second else ""}"'
            f' data-shadowing="{"1" if visit.second_is_shadowing else ""}"'
        )
    out.append(
        f"><p><strong>{begin}–{finish}</strong> "
        f'<a href="{urls.ticket.format(visit.number)}">{visit.number}</a> '
        f"{_e(visit.site_name)} · {_e(visit.organization_name)} "
        f'<span class="badge">{_e(visit.status_label)}</span>'
    )
    shadow = visit.second_is_shadowing
    if block.role == "second":
        out.append(
            f' <span class="fb-role">second to {_e(visit.technician)}'
            f"{', shadowing' if shadow else ''}</span>"
        )
    elif visit.second_technician is not None:
        out.append(
            f' <span class="fb-role">with {_e(visit.second_technician)}'
            f"{' (shadowing)' if shadow else ''}</span>"
        )
    out.append("</p>")
    leg = block.leg
    if leg is not None:
        minutes = "travel unknown" if leg.minutes is None else f"{leg.minutes} min"
        plan = " (route plan)" if leg.source == "plan" else ""
        out.append(f'<p class="fb-leg">↦ {minutes} from {_e(leg.from_label)}{plan}</p>')
    if block.warnings:
        out.append('<ul class="fb-warnings">')
        out.extend(
            f'<li class="fb-w fb-w-{w.code}"><span aria-hidden="true">⚠</span> {_e(w.text)}</li>'
            for w in block.warnings
        )
        out.append("</ul>")
    if scheduled and block.role == "lead":
        pid = _e(visit.public_id)
        out.append(
            f'<div class="fb-actions"><a class="button" href="{urls.here_q}visit={pid}'
            f'#fb-form-panel" hx-get="{urls.form}?visit={pid}&amp;next={urls.next_q}" '
            f'hx-target="#fb-form">Move<span class="visually-hidden"> {visit.number}</span></a>'
        )
        if actions:
            out.append(
                f'<form method="post" action="{urls.unschedule.format(pid)}">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(csrf)}">'
                f'<input type="hidden" name="next" value="{urls.next}">'
                f'<button type="submit">Unschedule<span class="visually-hidden"> '
                f"{visit.number}</span></button></form>"
            )
        out.append("</div>")
    out.append("</div>")
    return "".join(out)


SHORT = {
    "overlap": "overlap",
    "outside_hours": "outside hours",
    "leave": "on leave",
    "travel": "travel does not fit",
    "not_cleared": "not cleared",
    "skill": "missing skill",
}


def line(block: Block, urls: Urls) -> str:
    """The week view's one line per visit: time, ticket, site and each warning by name (the
    day view has the sentences); draggable while scheduled."""
    visit = block.visit
    tz = timezone.get_current_timezone()
    begin = block.start.astimezone(tz).strftime("%H:%M")
    out = ['<li class="fb-line warn"' if block.warnings else '<li class="fb-line"']
    if visit.status == "scheduled" and block.role == "lead":
        second = visit.second_technician
        out.append(
            f' draggable="true" data-visit="{visit.public_id}" data-time="{begin}"'
            f' data-second="{second.public_id if second else ""}"'
            f' data-shadowing="{"1" if visit.second_is_shadowing else ""}"'
        )
    number = visit.number
    out.append(
        f'><a href="{urls.ticket.format(number)}">{begin} {number}</a> {_e(visit.site_name)}'
    )
    if block.role == "second":
        out.append(" (second)")
    if block.warnings:
        names = ", ".join(SHORT.get(w.code, w.code) for w in block.warnings)
        out.append(f' <span class="fb-wshort"><span aria-hidden="true">⚠</span> {names}</span>')
    out.append("</li>")
    return "".join(out)


@register.simple_tag(takes_context=True)
def board_lines(context: template.Context, blocks: list[Block]) -> SafeString:
    """The week view's lines of `blocks`."""
    urls = context.render_context.get("_fb_urls")
    if urls is None:  # once per template rendered
        urls = context.render_context["_fb_urls"] = Urls(context["here"])
    items = "".join(line(b, urls) for b in blocks)
    return mark_safe(f'<ul class="fb-lines">{items}</ul>')  # noqa: S308 - escaped above


@register.simple_tag(takes_context=True)
def board_cards(context: template.Context, blocks: list[Block], actions: bool = True) -> SafeString:
    """The cards of `blocks` (`actions`: with the Unschedule button, the day view)."""
    urls = context.render_context.get("_fb_urls")
    if urls is None:  # once per template rendered
        urls = context.render_context["_fb_urls"] = Urls(context["here"])
    csrf = str(context.get("csrf_token", ""))
    return mark_safe("".join(card(b, urls, csrf, actions=actions) for b in blocks))  # noqa: S308 - every value is escaped above
