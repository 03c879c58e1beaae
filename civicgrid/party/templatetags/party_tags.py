"""Links to pages of other apps that may not exist yet: a URL name that does not resolve gives
"" (the template then shows nothing), never a NoReverseMatch."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def url_or_empty(name: str, *args) -> str:
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""
