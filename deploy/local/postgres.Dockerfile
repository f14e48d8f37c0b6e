# Stand-in for postgres:16, from Debian's postgresql-15, with the same contract as the
# official image where compose.yaml relies on it: POSTGRES_DB / POSTGRES_USER /
# POSTGRES_PASSWORD create the database on first start, data in /var/lib/postgresql/data,
# password logins from the compose network, `pg_isready` for the healthcheck.
ARG DEBIAN=open311-local/debian:bookworm
FROM ${DEBIAN}
RUN mkdir -p /etc/postgresql-common \
    && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
    && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/postgres-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data
USER postgres
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/sh", "/usr/local/bin/postgres-entrypoint.sh"]
