"""Pages of market surveillance cases and complaints (points 7 and 8)."""

urlpatterns: list = []
