FROM python:3.11-slim-bookworm

# WeasyPrint renders PDFs with Pango.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
# .dockerignore keeps secrets and local state out: .env files, the virtualenv, SQLite
# databases, media/ and var/ (signing keys). Named volumes are filled from the image's folders
# when first created, so these folders must start empty here.
COPY . .
# Manifest storage (used when DEBUG=false) needs the hashed files collected at build time.
RUN DEBUG=false SECRET_KEY=build-only-not-secret \
        python manage.py collectstatic --noinput \
    && mkdir -p var/signing media /var/lib/peermentor/beat \
    && useradd --create-home peermentor \
    && chown -R peermentor /app /var/lib/peermentor
USER peermentor

EXPOSE 8000
CMD ["gunicorn", "peermentor.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
