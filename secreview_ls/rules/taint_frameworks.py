"""Request sources of more web frameworks, as data merged into the taint spec by ``taint_tables``.

* Django class-based views and Django REST framework views: ``self`` is the view (kind
  ``django.view``), ``self.request`` its request and ``self.kwargs`` / ``self.args`` the URL captures,
  in every method (``get_queryset``, ``get_context_data``, ``form_valid``...), not only in the
  ``get`` / ``post`` handlers that receive ``request``.
* Falcon: the ``req`` of responders (``on_get(self, req, resp)``) and hooks; ``req.get_param(...)``,
  ``req.params``, ``req.media``, ``req.stream``...; a responder's parameters after ``resp``
  (``on_get_item(self, req, resp, name)``) are the route's URI template fields.
* Bottle: the global ``bottle.request`` (``request.query.name``, ``request.forms.get(...)``,
  ``request.params``, ``request.json``...) and ``@route("/hello/<name>")`` capture parameters.
* Sanic: the first parameter ``request`` of a handler in a module importing sanic (``request.args``,
  ``request.json``, ``request.form``, ``request.body``...); ``@app.get("/x/<name>")`` captures.
* Tornado: the positional parameters of a ``RequestHandler``'s ``get`` / ``post`` ... after ``self``
  are the URL pattern's groups (``(r"/items/(.*)", Handler)``).
* CGI scripts: ``cgi.FieldStorage()`` is the submitted form (``form.getvalue("q")``).
* Flask / Quart ``g``: the fields a ``@app.before_request`` hook stores from request data are
  request data in every view of the module (``g.lang = request.args["lang"]``).
* GraphQL (graphene, Ariadne, Strawberry): a resolver's arguments are the query's, chosen by the
  client: those after ``(parent, info)`` of ``resolve_<field>`` / ``mutate`` functions in a module
  importing a GraphQL library, and all but ``self`` / ``root`` / ``info`` of a ``@strawberry.field``
  / ``mutation`` / ``subscription`` function. Arguments typed as numbers stay clean.
"""

from __future__ import annotations

# The URL the client asked for: ``request.path`` and its forms.
DJANGO_URL_ATTRS = ("path", "path_info", "get_full_path", "get_full_path_info", "build_absolute_uri")
DJANGO_REQUEST_ATTRS = (
    "GET", "POST", "COOKIES", "META", "body", "FILES", "headers", "data", "query_params",
    "read", "readline", "readlines", "content_params", *DJANGO_URL_ATTRS,
)  # fmt: skip
_DJANGO_VIEWS = (
    "django.views.View", "django.views.generic.View", "django.views.generic.base.View",
    "django.views.generic.TemplateView", "django.views.generic.base.TemplateView",
    "django.views.generic.RedirectView", "django.views.generic.base.RedirectView",
    "django.views.generic.ListView", "django.views.generic.list.ListView",
    "django.views.generic.DetailView", "django.views.generic.detail.DetailView",
    "django.views.generic.FormView", "django.views.generic.edit.FormView",
    "django.views.generic.CreateView", "django.views.generic.edit.CreateView",
    "django.views.generic.UpdateView", "django.views.generic.edit.UpdateView",
    "django.views.generic.DeleteView", "django.views.generic.edit.DeleteView",
    "rest_framework.views.APIView", "rest_framework.generics.GenericAPIView",
    "rest_framework.generics.ListAPIView", "rest_framework.generics.RetrieveAPIView",
    "rest_framework.generics.CreateAPIView", "rest_framework.generics.ListCreateAPIView",
    "rest_framework.generics.RetrieveUpdateDestroyAPIView", "rest_framework.viewsets.ViewSet",
    "rest_framework.viewsets.GenericViewSet", "rest_framework.viewsets.ModelViewSet",
    "rest_framework.viewsets.ReadOnlyModelViewSet",
)  # fmt: skip
FALCON_REQUEST_ATTRS = (
    "get_param", "get_param_as_list", "get_param_as_json", "params", "media", "get_media", "stream",
    "bounded_stream", "headers", "get_header", "cookies", "get_cookie_values", "path", "uri", "url",
    "relative_uri", "query_string", "forwarded_uri", "user_agent", "referer", "env", "content_type",
)  # fmt: skip
BOTTLE_REQUEST_ATTRS = (
    "query", "forms", "params", "json", "body", "files", "headers", "cookies", "get_cookie", "get_header",
    "GET", "POST", "url", "fullpath", "path", "query_string", "environ", "auth", "urlparts",
)  # fmt: skip

SANIC_REQUEST_ATTRS = (
    "args", "get_args", "query_args", "get_query_args", "query_string", "form", "get_form", "json", "body",
    "files", "headers", "cookies", "match_info", "path", "url", "raw_url", "uri_template", "token",
    "credentials", "stream", "receive_body",
)  # fmt: skip

EXTRA_OBJECT_KINDS = {"bottle.request": "bottle.request", "bottle.local.request": "bottle.request"}
EXTRA_OBJECT_SOURCES = {
    "django.view": frozenset({"kwargs", "args"}),
    "django.view.request": frozenset(DJANGO_REQUEST_ATTRS),
    "falcon.request": frozenset(FALCON_REQUEST_ATTRS),
    "bottle.request": frozenset(BOTTLE_REQUEST_ATTRS),
    "sanic.request": frozenset(SANIC_REQUEST_ATTRS),
}
EXTRA_HANDLER_BASES = {name: "django.view" for name in _DJANGO_VIEWS}
EXTRA_HANDLER_BASES.update(
    {name: "aiohttp.view" for name in ("aiohttp.web.View", "aiohttp.web_urldispatcher.View", "aiohttp.web_view.View")}
)
# Attributes of a handler that are the framework's own request object (an aiohttp class-based
# view's ``self.request``): ``kind.attr`` → the object's kind, whose attributes are the sources.
HANDLER_OBJECTS = {"aiohttp.view.request": "aiohttp.request"}
# A first parameter named ``req`` / ``request`` in a module importing falcon: the responder's request.
EXTRA_REQUEST_PARAMETERS = (("falcon", "falcon.request"), ("sanic", "sanic.request"))
# Handler kinds whose HTTP-method parameters after ``self`` are the URL pattern's captures.
CAPTURING_HANDLERS = frozenset({"tornado.handler"})
# Calls returning what the client submitted (a CGI script's form).
EXTRA_CALL_SOURCES = {"cgi.FieldStorage": "remote", "cgi.parse": "remote", "cgi.parse_multipart": "remote"}
# Websocket client connections: a ``recv`` on one returns what the server the program connected
# to sends (a wallet node, a relay it was configured with), data of the same trust as an HTTP
# response, which is no source either. A server's ``recv`` (a socket it accepted) still is.
CLIENT_CONNECTIONS = frozenset(
    f"{name}()"
    for name in ("websocket.create_connection", "websocket._core.create_connection", "websockets.connect",
                 "websockets.client.connect", "websockets.sync.client.connect", "websockets.asyncio.client.connect",
                 "websockets.legacy.client.connect")
)  # fmt: skip
# Module-level route decorators (``@route("/hello/<name>")``): captures are tainted, returns are HTML.
ROUTE_FUNCTIONS = frozenset(f"bottle.{verb}" for verb in ("route", "get", "post", "put", "delete", "patch"))
# Header and cookie values cannot hold line breaks.
EXTRA_SOURCE_CLEANED_NO_BREAKS = (
    ("falcon.request", ("headers", "get_header", "cookies", "get_cookie_values", "user_agent", "referer")),
    ("bottle.request", ("headers", "get_header", "cookies", "get_cookie")),
    ("django.view.request", ("headers", "COOKIES", "META")),
    ("sanic.request", ("headers", "cookies")),
)
# Of the WSGI environment's entries the client fills, the tokens of the request line (a line of
# its own, split on spaces): no line break. Others may hold one once decoded (``PATH_INFO``, a
# ``QUERY_STRING`` through ``parse_qs``), or come from a header line a server may fold (``HTTP_*``).
LINE_KEYS = {"wsgi.environ": ("REQUEST_METHOD", "SERVER_PROTOCOL")}
# The request's ``Referer`` header: an attribute, or a header or environment mapping read with
# that constant key (``request.headers.get("Referer")``, ``request.environ["HTTP_REFERER"]``).
REFERRER_ATTRS = (
    ("flask.request", "referrer"),
    ("webob.request", "referer"),
    *(
        (kind, f"{mapping}[{key}]")
        for kind, mappings in (
            ("flask.request", ("headers", "environ")),
            ("webob.request", ("headers", "environ")),
            ("django.request", ("headers", "META")),
            ("django.view.request", ("headers", "META")),
            ("starlette.request", ("headers",)),
            ("aiohttp.request", ("headers",)),
        )
        for mapping in mappings
        for key in ("referer", "http_referer")
    ),
)
# GraphQL resolvers and the decorators that declare them.
RESOLVER_MODULES = ("graphene", "ariadne", "strawberry", "graphql")
RESOLVER_NAMES = frozenset({"mutate", "mutate_and_get_payload"})
RESOLVER_DECORATORS = frozenset(
    f"strawberry.{name}" for name in ("field", "mutation", "subscription", "django.field", "django.mutation")
)
# Request-scoped globals and the hooks that fill them before each view.
REQUEST_GLOBALS = frozenset({"flask.g", "flask.globals.g", "quart.g", "quart.globals.g"})
REQUEST_HOOKS = frozenset({"before_request", "before_app_request"})
# Decorators of Flask/Quart error handlers: the handler's return value is the (HTML) response body.
ERROR_HANDLER_DECORATORS = frozenset({"errorhandler", "app_errorhandler"})
# Responders whose parameters after (request, response) are the route's URI template fields.
RESPONDER_CAPTURES = (("falcon.request", "on_", 2),)

# Request attributes of more frameworks that hold what the client sent.
STARLETTE_REQUEST_ATTRS = (
    "query_params", "path_params", "headers", "cookies", "json", "body", "form", "stream",
)  # fmt: skip
# aiohttp: ``request.match_info``, ``request.query``, ``await request.post()`` / ``.json()`` / ``.text()``.
AIOHTTP_REQUEST_ATTRS = (
    "match_info", "query", "rel_url", "url", "path", "path_qs", "raw_path", "query_string", "headers",
    "cookies", "post", "json", "text", "read", "content", "multipart",
)  # fmt: skip
# WebOb (Pyramid, ``webob.dec.wsgify``): ``req.GET``, ``req.POST``, ``req.params``, ``req.json_body``.
WEBOB_REQUEST_ATTRS = (
    "GET", "POST", "params", "body", "body_file", "json_body", "json", "text", "matchdict", "cookies",
    "headers", "url", "path", "path_qs", "path_info", "query_string", "environ", "referer", "user_agent",
)  # fmt: skip
HTTP_SERVER_HANDLER_ATTRS = ("path", "headers", "rfile", "requestline", "raw_requestline")
SOCKETSERVER_HANDLER_ATTRS = ("rfile", "data")
TORNADO_HANDLER_ATTRS = (
    "get_argument", "get_arguments", "get_query_argument", "get_query_arguments",
    "get_body_argument", "get_body_arguments", "get_cookie", "get_secure_cookie", "path_args", "path_kwargs",
)  # fmt: skip
# ``self.request`` of a Tornado handler (an ``HTTPServerRequest``): what the client wrote.
TORNADO_REQUEST_ATTRS = (
    "body", "arguments", "query_arguments", "body_arguments", "files", "headers", "uri", "path", "query",
    "cookies", "full_url", "host",
)  # fmt: skip
# Parameters annotated with a framework's request class hold that framework's request.
REQUEST_ANNOTATIONS = {
    "fastapi.Request": "starlette.request",
    "starlette.requests.Request": "starlette.request",
    "fastapi.requests.Request": "starlette.request",
    "django.http.HttpRequest": "django.request",
    "django.http.request.HttpRequest": "django.request",
    "rest_framework.request.Request": "django.request",
    "aiohttp.web.Request": "aiohttp.request",
    "aiohttp.web.BaseRequest": "aiohttp.request",
    "aiohttp.web_request.Request": "aiohttp.request",
    "aiohttp.web_request.BaseRequest": "aiohttp.request",
    "webob.Request": "webob.request",
    "webob.request.Request": "webob.request",
    "webob.request.BaseRequest": "webob.request",
    "pyramid.request.Request": "webob.request",
}
