"""HLS under a share link's key (`/s/<key>/files/<id>/hls/...`): what the visitor's browser
cannot play directly (an MKV, an AVI, HEVC) is remuxed or transcoded by the same encoder as the
owner's player (media/services/hls.py), its segments served under the key. Only files inside
the share, only while the link is alive and unlocked; a view counted for the link."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from media.models import ViewVia
from media.services.direct_links import LinkGone, scope_file_path
from media.services.hls import HlsUnavailable, hls_playlist_response, hls_segment_response
from media.views.share import shared_unlocked


def _start(request: HttpRequest) -> int:
    try:
        return max(0, int(request.GET.get("start", "0")))
    except ValueError:
        raise Http404("start is a number of seconds") from None


@require_safe
def share_hls_playlist(request: HttpRequest, key: str, file_id: int) -> HttpResponse:
    found = shared_unlocked(request, key)
    if isinstance(found, HttpResponse):
        return found
    link, scope = found
    try:
        file, _ = scope_file_path(scope=scope, user=link.owner, file_id=file_id)
    except LinkGone:
        raise Http404("not a file of this share") from None

    def url_for(name: str) -> str:
        encode, segment = name.split("/", 1)
        return reverse("share-hls-segment", args=[key, file_id, int(encode), segment])

    try:
        return hls_playlist_response(
            request, torrent=scope.torrent, file=file, start=_start(request), url_for=url_for,
            via=ViewVia.SHARE, share=link,
        )  # fmt: skip
    except HlsUnavailable as exc:
        return HttpResponse(str(exc), status=exc.status, content_type="text/plain")


@require_safe
def share_hls_segment(
    request: HttpRequest, key: str, file_id: int, encode: int, segment: str
) -> HttpResponse:
    found = shared_unlocked(request, key)
    if isinstance(found, HttpResponse):
        return found
    link, scope = found
    try:
        file, _ = scope_file_path(scope=scope, user=link.owner, file_id=file_id)
    except LinkGone:
        raise Http404("not a file of this share") from None
    return hls_segment_response(request, file=file, name=f"{encode}/{segment}")
