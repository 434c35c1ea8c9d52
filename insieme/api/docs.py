"""The API's documentation page: Swagger UI from the installed sidecar package, no CDN.

The split view delivers Swagger UI's start-up code as a separate script (`?script`), and the
template has no inline style, so the page works under the site's CSP (script-src/style-src
'self') without loosening it."""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    public = True
