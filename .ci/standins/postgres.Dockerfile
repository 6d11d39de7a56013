# postgres:* stand-in: Debian's PostgreSQL server (trixie 17, bookworm 15) with an entrypoint that
# emulates the official image's first start (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB,
# POSTGRES_HOST_AUTH_METHOD, PGDATA) and listens on the container's loopback only (127.0.0.1 and
# ::1): it is meant to share a network namespace with the one program that uses it.
ARG FROM
FROM ${FROM}
ARG PG
ENV LANG=C.UTF-8 \
    PGDATA=/var/lib/postgresql/data \
    PATH=/usr/lib/postgresql/${PG}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       "postgresql-${PG}" \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/run/postgresql "$PGDATA" \
    && chown -R postgres:postgres /var/run/postgresql /var/lib/postgresql \
    && chmod 2777 /var/run/postgresql \
    && chmod 700 "$PGDATA" \
    && postgres --version
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
