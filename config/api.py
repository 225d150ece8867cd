"""The project's one read API (django-ninja), one router per app.

Authenticate with a session (browser) or `Authorization: Bearer <token>` (the Token API page).
Same scopes as the UI. OpenAPI: /api/openapi.json, documentation: /api/docs.
"""

from csp.decorators import csp_exempt
from ninja import NinjaAPI

from mutu.core.api import TokenAuth, VerifiedSession
from mutu.cycle.api import router as cycles
from mutu.instruments.api import router as instruments
from mutu.mapping.api import router as rounds
from mutu.pbd.api import router as rapor_pendidikan

# The documentation page loads Swagger UI from its CDN with an inline script: it is kept out of the CSP.
api = NinjaAPI(
    title="Mutu API",
    version="1",
    auth=[TokenAuth(), VerifiedSession()],
    urls_namespace="api",
    docs_decorator=csp_exempt(),
)
api.add_router("/instruments", instruments)
api.add_router("/rounds", rounds)
api.add_router("/cycles", cycles)
api.add_router("/rapor-pendidikan", rapor_pendidikan)
