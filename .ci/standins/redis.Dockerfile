# redis:* stand-in: Debian's Redis server (trixie 8.0, bookworm 7.0), run as the redis account like
# the official image, listening on the container's loopback only (127.0.0.1 and ::1), without
# protected mode and without persistence (a throwaway server for one program's start).
ARG FROM
FROM ${FROM}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /data && chown redis:redis /data \
    && redis-server --version
WORKDIR /data
EXPOSE 6379
USER redis
CMD ["redis-server", "--bind", "127.0.0.1", "-::1", "--protected-mode", "no", "--save", "", "--appendonly", "no"]
