# The image docker-compose.yml runs: the site (gunicorn), the Celery worker and beat, and the
# rTorrent daemon (`manage.py rtorrentd` writes its rc from the site's settings) share it.
# Two stages: wheels are built with the compilers, the runtime image has none of them.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends rtorrent ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 1000 --create-home --home-dir /home/seedbox seedbox \
 && mkdir -p /var/lib/seedbox /app \
 && chown seedbox:seedbox /var/lib/seedbox
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels
WORKDIR /app
COPY --chown=seedbox:seedbox . .
ENV PYTHONUNBUFFERED=1 \
    SEEDBOX_VAR_DIR=/var/lib/seedbox/var \
    SEEDBOX_DATA_DIR=/var/lib/seedbox/data \
    STATIC_ROOT=/var/lib/seedbox/static
USER seedbox
EXPOSE 8000
# The web container's check; the others override it in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status != 200)"
CMD ["gunicorn", "seedbox.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "8"]
