"""Template helpers of the knowledge base: `markdown` (an article body as sanitised HTML)."""

from django import template
from django.utils.safestring import SafeString

from deskside.kb.render import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return render_markdown(text)
