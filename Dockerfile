# The microcred app: `microcred serve` (API and pages) by default, `microcred scheduler` for
# the scheduler service. Built by docker-compose.yml; Docker does not run on our machines,
# tests/test_compose.py checks this file's shape.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Dependencies first, so a code change does not reinstall them: every dependency has a
# wheel for linux (lxml, psycopg[binary], orjson, pydantic-core), so no compiler is needed.
COPY pyproject.toml README.md ./
COPY normaliser ./normaliser
COPY catalogue ./catalogue
COPY crawlers ./crawlers
COPY search_api ./search_api
COPY mappings ./mappings
COPY microcred ./microcred
RUN pip install . \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home microcred \
    && mkdir -p /data && chown microcred:microcred /data

USER microcred
WORKDIR /data
ENV MICROCRED_DATA_DIR=/data \
    MICROCRED_HOST=0.0.0.0 \
    MICROCRED_PORT=8000
EXPOSE 8000
# The API's check; slim has no curl, so the standard library asks. The scheduler service
# replaces it with `microcred scheduler --check` (its heartbeat), in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["microcred", "serve"]
