"""Pages of supervision; each area's views module lists its own paths."""

from hami.supervision.views import cases, inspections, ladder, plans, risk, scores, units

app_name = "supervision"
urlpatterns = [
    *risk.urlpatterns,
    *scores.urlpatterns,
    *plans.urlpatterns,
    *inspections.urlpatterns,
    *ladder.urlpatterns,
    *cases.urlpatterns,
    *units.urlpatterns,
]
