# syntax=docker/dockerfile:1
# One image for the web process and the mail worker; the command chooses which.
#   web:     docker run IMAGE                      (uvicorn, the default CMD)
#   worker:  docker run IMAGE alliance87 send-emails
#   migrate: docker run IMAGE alembic upgrade head  (a separate release step, not on every start)

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The locked runtime versions, each checked against its hash; then the portal itself,
# with nothing more resolved.
COPY requirements/runtime.txt ./requirements/runtime.txt
RUN pip install --require-hashes --no-deps -r requirements/runtime.txt
COPY pyproject.toml ./
COPY app ./app
RUN pip install --no-deps . && pip uninstall -y pip setuptools wheel

FROM python:3.11-slim-bookworm AS runtime
# tzdata: Asia/Kuala_Lumpur for the deadline; curl-free healthcheck uses Python itself.
# Pango, HarfBuzz and the Noto fonts: WeasyPrint's PDF for the registration desk (badges),
# with Malay, Chinese and Tamil names.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal
# PYTHONPATH=/app: the code, templates and translations are read from /app, so the copy
# of the package in the venv (installed only for its `alliance87` entry point) is shadowed.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    TZ=Asia/Kuala_Lumpur \
    WEB_CONCURRENCY=2
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root app ./app
COPY --chown=root:root migrations ./migrations
COPY --chown=root:root templates ./templates
COPY --chown=root:root static ./static
COPY --chown=root:root translations ./translations
COPY --chown=root:root alembic.ini ./
# Byte-compiled here, since the unprivileged user cannot write __pycache__ at run time:
# otherwise every process would compile the portal's modules again as it starts.
RUN python -m compileall -q app migrations
USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# Behind the reverse proxy: trust its X-Forwarded-* headers only from FORWARDED_ALLOW_IPS
# (uvicorn reads it from the environment; set it to the proxy's address). Idle connections
# are kept longer than the proxy keeps them (nginx: 60 s), so the proxy never sends a
# request on a connection uvicorn is closing.
CMD ["sh", "-c", "exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --workers ${WEB_CONCURRENCY} --proxy-headers --no-server-header --timeout-keep-alive 75"]
