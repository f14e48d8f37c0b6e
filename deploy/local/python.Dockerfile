# Stand-in for python:3.12-slim, from Debian's own packages (bookworm: python 3.11, which the
# project supports). Built by deploy/prove-local.sh on a machine that cannot pull from Docker
# Hub; the app image is then built on it with `--build-arg BASE=open311-local/python`.
ARG DEBIAN=open311-local/debian:bookworm
FROM ${DEBIAN}
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# The build machine's trust store, so that pip reaches PyPI from inside a build the way the
# machine itself does (also through a TLS-inspecting proxy, when the machine has one).
COPY ca-certificates.crt /etc/ssl/certs/build-host-ca-certificates.crt
ENV PIP_CERT=/etc/ssl/certs/build-host-ca-certificates.crt
