"""Direct links (/d/...) and share links (/s/...), mounted at the site's root."""

urlpatterns: list = []
