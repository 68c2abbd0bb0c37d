"""Direct links (/d/...), share links (/s/...), the links page (/links/) and the links API
(/api/links/...), mounted at the site's root."""

from django.urls import path

from media.api.links import (
    DirectLinkDetailView,
    DirectLinkListView,
    ShareLinkDetailView,
    ShareLinkListView,
)
from media.views import direct, links, share, share_hls

urlpatterns = [
    path(
        "d/<str:key>/f/<int:file_id>/<path:name>", direct.direct_link_file, name="direct-link-file"
    ),
    path("d/<str:key>/", direct.direct_link, name="direct-link-index"),
    path("d/<str:key>/<path:name>", direct.direct_link, name="direct-link"),
    path("s/<str:key>/", share.share_page, name="share-page"),
    path("s/<str:key>/download.zip", share.share_zip, name="share-zip"),
    path("s/<str:key>/files/<int:file_id>", share.share_file, name="share-file"),
    path("s/<str:key>/files/<int:file_id>/stream", share.share_stream, name="share-stream"),
    path(
        "s/<str:key>/files/<int:file_id>/hls/index.m3u8",
        share_hls.share_hls_playlist,
        name="share-hls",
    ),
    path(
        "s/<str:key>/files/<int:file_id>/hls/<int:encode>/<str:segment>",
        share_hls.share_hls_segment,
        name="share-hls-segment",
    ),
    path("links/", links.links_page, name="links"),
    path("links/direct", links.direct_link_new, name="links-direct-new"),
    path("links/share", links.share_link_new, name="links-share-new"),
    path("links/direct/<int:pk>/revoke", links.direct_link_revoke_page, name="links-direct-revoke"),
    path("links/share/<int:pk>/revoke", links.share_link_revoke_page, name="links-share-revoke"),
    path("api/links/direct", DirectLinkListView.as_view(), name="api-links-direct"),
    path("api/links/direct/<int:pk>", DirectLinkDetailView.as_view(), name="api-link-direct"),
    path("api/links/share", ShareLinkListView.as_view(), name="api-links-share"),
    path("api/links/share/<int:pk>", ShareLinkDetailView.as_view(), name="api-link-share"),
]
