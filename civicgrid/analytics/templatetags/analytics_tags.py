from django import template

from civicgrid.analytics.selectors import may_view

register = template.Library()


@register.filter
def may_view_hotspots(user) -> bool:
    """For the navigation: street and district staff see the hotspot alerts."""
    return may_view(user)
