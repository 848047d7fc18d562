"""Pages of training, clinics and working groups; each area's views module lists its own paths."""

from hami.outreach.views import clinics, groups, participation, training

app_name = "outreach"
urlpatterns = [*training.urlpatterns, *clinics.urlpatterns, *groups.urlpatterns, *participation.urlpatterns]
