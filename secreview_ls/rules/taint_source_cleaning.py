"""Request attributes that are harmless for some taint classes from the start: the request's own
URL (no open redirect or SSRF when sent back), the page the browser came from, and header text,
which cannot hold a line break."""

from __future__ import annotations

from collections.abc import Callable

from ..engine.taint import AFTER_FIXED_HOST, LINE_BREAKS_REMOVED, OWN_REQUEST_URL, PAGE_CAME_FROM
from .taint_frameworks import DJANGO_URL_ATTRS, REFERRER_ATTRS


def request_sources_cleaned(cleaned_by: Callable[[str], frozenset[str]]) -> dict[str, frozenset[str]]:
    """Source name → the ids of the taint classes it is clean for (``cleaned_by(behaviour)``: the
    classes a cleaning behaviour cleans)."""
    # The request's own URL is chosen by the client only below the host: not an open redirect or
    # SSRF when sent back (it comes after the app's own fixed host), still text the client wrote
    # everywhere else.
    own_url = cleaned_by(AFTER_FIXED_HOST) | cleaned_by(OWN_REQUEST_URL)
    cleaned = {f"flask.request.{attr}": own_url for attr in ("url", "full_path", "path", "base_url", "url_root")}
    # Werkzeug builds the whole URL (``url``, ``base_url``, ``url_root``) with its path and
    # query percent-encoded: a line break arrives as ``%0A``. (``path`` is the decoded path: it can
    # hold one.)
    cleaned.update(
        {f"flask.request.{attr}": own_url | cleaned_by(LINE_BREAKS_REMOVED) for attr in ("url", "base_url", "url_root")}
    )
    cleaned.update({f"aiohttp.request.{attr}": own_url for attr in ("url", "rel_url", "path", "path_qs", "raw_path")})
    cleaned.update({f"webob.request.{attr}": own_url for attr in ("url", "path", "path_qs", "path_info")})
    # Django's request path is percent-decoded (it can hold markup or a line break); its full URL
    # (``build_absolute_uri()``) begins with the host the site accepts.
    cleaned.update(
        {f"{kind}.{attr}": own_url for kind in ("django.request", "django.view.request") for attr in DJANGO_URL_ATTRS}
    )
    # The ``Referer`` is the page the browser came from (no open redirect when sent back there).
    came_from = cleaned_by(PAGE_CAME_FROM) | cleaned_by(LINE_BREAKS_REMOVED)
    cleaned.update({f"{kind}.{attr}": came_from for kind, attr in REFERRER_ATTRS})
    # A header (or cookie) value cannot hold CR or LF: HTTP parsers reject or fold them, so it cannot
    # split a response header or forge a log line.
    no_line_breaks = cleaned_by(LINE_BREAKS_REMOVED)
    cleaned.update(
        {
            f"{kind}.{attr}": no_line_breaks
            for kind, attrs in (
                ("flask.request", ("headers", "cookies", "user_agent")),
                ("django.request", ("headers", "COOKIES", "META")),
                ("starlette.request", ("headers", "cookies")),
                ("http.server.handler", ("headers",)),
                ("aiohttp.request", ("headers", "cookies")),
                ("webob.request", ("headers", "cookies", "user_agent")),
                ("tornado.handler.request", ("headers", "cookies")),
            )
            for attr in attrs
        }
    )
    # Tornado's request-target as the client sent it (``uri``, its ``path``) and the URL rebuilt from it with the
    # request's own host (``full_url()``) are the site's own URL (its ``query`` alone is none); they and the Host
    # header's text are split out of one line, never percent-decoded: none holds CR or LF.
    for attr in ("uri", "path", "full_url", "query", "host"):
        own = own_url if attr in ("uri", "path", "full_url") else frozenset()
        cleaned[f"tornado.handler.request.{attr}"] = own | no_line_breaks
    return cleaned
