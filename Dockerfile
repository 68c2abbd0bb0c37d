# The image docker-compose.yml builds: the site, the worker and the managed rTorrent share it.
FROM python:3.11-slim-bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends rtorrent ffmpeg \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build python manage.py collectstatic --no-input -v 0
EXPOSE 8000
CMD ["gunicorn", "seedbox.wsgi:application", "--bind", "0.0.0.0:8000"]
