# open311-intake: one image for every process of the production layout (see compose.yaml):
#   intake serve --workers N   webhooks (gunicorn), behind a buffering proxy
#   intake worker              delivery to Open311 and outbound texts (any number of them)
#   intake poll --loop         status polling
#   intake db upgrade          migrations (run once before the others start)
# BASE: any Debian-like image with python3 (>= 3.11) and its venv module; the default is the
# published one. deploy/prove-local.sh builds on a stand-in made from Debian's own packages.
ARG BASE=python:3.12-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    INTAKE_VAR_DIR=/var/lib/intake \
    PROMETHEUS_MULTIPROC_DIR=/tmp/intake-metrics \
    LOG_FORMAT=json \
    PATH=/opt/intake/bin:$PATH

WORKDIR /app
COPY pyproject.toml README.md ./
COPY conversation ./conversation
COPY ivr ./ivr
COPY sms ./sms
COPY geocode ./geocode
COPY open311_client ./open311_client
COPY intake ./intake
# a virtual environment: the same on python:3.12-slim and on a distribution's python3,
# whose own pip refuses to install into the system (PEP 668)
RUN python3 -m venv /opt/intake \
    && pip install . \
    && useradd --system --uid 10001 --home-dir /var/lib/intake intake \
    && mkdir -p /var/lib/intake /tmp/intake-metrics \
    && chown intake /var/lib/intake /tmp/intake-metrics

USER intake
EXPOSE 8000
STOPSIGNAL SIGTERM
CMD ["intake", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--threads", "4"]
