"""Pages of inspection plans (point 3)."""

urlpatterns: list = []
