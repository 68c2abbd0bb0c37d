"""Routes of web push and the installable site, mounted at the root: the manifest and the
service worker must be there (a worker's scope is its folder), the API under /api/."""

from django.urls import path

from notifications import push_views
from notifications.api import push as push_api

urlpatterns = [
    path("manifest.webmanifest", push_views.web_manifest, name="web-manifest"),
    path("sw.js", push_views.service_worker, name="service-worker"),
    path(
        "accounts/push/<int:pk>/remove/",
        push_views.push_device_remove,
        name="account-push-remove",
    ),
    path("accounts/push/<int:pk>/test/", push_views.push_device_test, name="account-push-test"),
    path(
        "api/push-subscriptions",
        push_api.PushSubscriptionListView.as_view(),
        name="api-push-subscriptions",
    ),
    path(
        "api/push-subscriptions/vapid-key",
        push_api.VapidKeyView.as_view(),
        name="api-push-vapid-key",
    ),
    path(
        "api/push-subscriptions/<int:pk>",
        push_api.PushSubscriptionDetailView.as_view(),
        name="api-push-subscription",
    ),
    path(
        "api/push-subscriptions/<int:pk>/test",
        push_api.PushSubscriptionTestView.as_view(),
        name="api-push-subscription-test",
    ),
]
