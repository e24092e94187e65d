"""Template helpers every page uses: its title once for <title> and Open Graph, its
language alternates (hreflang), its canonical URL and its JSON-LD."""

import json

from django import template
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from therapists import seo

register = template.Library()

# The characters json_script escapes: inside <script> they could close it or start markup.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Already escaped by rendering; kept safe so it is not escaped twice.
        context[self.name] = mark_safe(" ".join(self.nodelist.render(context).split()))
        return ""


@register.tag
def capture(parser, token):
    """{% capture as name %}...{% endcapture %}: render once, use the text twice (a
    page's title in <title> and in og:title)."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}...{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.inclusion_tag("_head_links.html", takes_context=True)
def head_links(context):
    """canonical (the path without filters or page numbers), hreflang alternates with
    x-default, and the Open Graph locale."""
    request = context["request"]
    alternates = seo.page_alternates(request, context.get("alternates"))
    language = get_language() or settings.LANGUAGE_CODE
    canonical = alternates.get(language, request.path)
    return {
        "canonical": _absolute(request, canonical),
        "alternates": [(code, _absolute(request, path)) for code, path in alternates.items()],
        "x_default": _absolute(request, alternates.get(settings.LANGUAGE_CODE, request.path)),
        "og_locale": "fr_CA" if language == "fr" else "en_CA",
        "og_locale_alternate": "en_CA" if language == "fr" else "fr_CA",
    }


def _absolute(request, path: str) -> str:
    """`path` on this site. A request whose Host header is not ours is answered with the
    400 page, which names the site (SITE_URL) rather than the host it was sent."""
    try:
        return request.build_absolute_uri(path)
    except DisallowedHost:
        return settings.SITE_URL.rstrip("/") + path


@register.simple_tag
def json_ld(data) -> str:
    """<script type="application/ld+json"> with json_script's escaping. A data block, not a
    script: browsers never run it, so the strict CSP (no inline scripts) does not apply."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def language_links(context) -> list[tuple[str, str, str]]:
    """(code, name, path with query) of this page in each language, for the switcher."""
    request = context["request"]
    alternates = seo.page_alternates(request, context.get("alternates"))
    query = request.META.get("QUERY_STRING", "")
    return [
        (code, name, f"{alternates.get(code, request.path)}{'?' + query if query else ''}")
        for code, name in settings.LANGUAGES
    ]
