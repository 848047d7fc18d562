"""Pages of unit risk scores and the supervision instruction (issue 6, point 2)."""

urlpatterns: list = []
