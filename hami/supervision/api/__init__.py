"""The supervision API; one router per area, mounted together."""

from ninja import Router

from hami.supervision.api.cases import router as cases_router
from hami.supervision.api.inspections import router as inspections_router
from hami.supervision.api.ladder import router as ladder_router
from hami.supervision.api.plans import router as plans_router
from hami.supervision.api.risk import router as risk_router
from hami.supervision.api.scores import router as scores_router

router = Router()
router.add_router("/", risk_router)
router.add_router("/", scores_router)
router.add_router("/", plans_router)
router.add_router("/", inspections_router)
router.add_router("/", ladder_router)
router.add_router("/", cases_router)
