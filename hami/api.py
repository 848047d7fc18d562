"""Hami's API, /api/v1: one NinjaAPI, a router per app. Schema committed at docs/openapi.json."""

from ninja import NinjaAPI

from hami.core.api import AUTH, install_error_handlers
from hami.core.api import router as core_router
from hami.labs.api import router as labs_router
from hami.labs.api_sampling import router as sampling_router
from hami.licensing.api import router as licensing_router
from hami.licensing.api_office import router as licensing_office_router
from hami.outreach.api import router as outreach_router
from hami.registry.api import router as registry_router
from hami.standards.api import router as standards_router
from hami.supervision.api import router as supervision_router

api = NinjaAPI(
    title="Hami API",
    version="1",
    description="The API of Hami, the platform of the plan 'Standard Supporting Production'. "
    "Authenticate with the browser session or `Authorization: Bearer <token>`. "
    "Messages follow Accept-Language (fa by default, en).",
    auth=AUTH,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", core_router)
api.add_router("/", registry_router)
api.add_router("/", standards_router)
api.add_router("/", licensing_router)
api.add_router("/", licensing_office_router)
api.add_router("/", labs_router)
api.add_router("/", sampling_router)
api.add_router("/", outreach_router)
api.add_router("/", supervision_router)
