"""The outreach API: training, clinics, working groups; one router per area, mounted together."""

from ninja import Router

from hami.outreach.api.clinics import router as clinics_router
from hami.outreach.api.groups import router as groups_router
from hami.outreach.api.participation import router as participation_router
from hami.outreach.api.training import router as training_router

router = Router()
router.add_router("/", training_router)
router.add_router("/", clinics_router)
router.add_router("/", groups_router)
router.add_router("/", participation_router)
