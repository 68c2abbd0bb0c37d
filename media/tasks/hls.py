"""HLS housekeeping on Celery: encoders are started by the playlist request itself (see
media/services/hls.py for why); beat notes the ones that ended or died and keeps the cache under
SEEDBOX_HLS_CACHE_MAX. Both are safe to run twice."""

from celery import shared_task

from media.models import Encode, EncodeStatus
from media.services.hls import encode_refresh
from media.services.hls_cache import hls_cache_evict


@shared_task(name="media.tasks.hls.hls_cache_evict", ignore_result=True)
def hls_cache_evict_task() -> list[int]:
    return hls_cache_evict()


@shared_task(ignore_result=True)
def hls_encodes_watch() -> dict:
    running = list(Encode.objects.filter(status=EncodeStatus.RUNNING))
    ended = [e.pk for e in running if encode_refresh(encode=e).status != EncodeStatus.RUNNING]
    return {"running": len(running) - len(ended), "ended": ended, "evicted": hls_cache_evict()}
