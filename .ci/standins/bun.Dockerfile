# oven/bun:* stand-in: the real Bun binary of the given version (npm registry package
# @oven/bun-linux-x64-baseline, the build for every x86-64 CPU, with or without AVX2) in
# /usr/local/bin with its `bunx` link, as in the official image, and the `bun` user (uid and gid
# 1000) with the official image's working directory /home/bun/app.
ARG FROM
FROM ${FROM}
ARG BUN_VERSION
ENV BUN_VERSION=${BUN_VERSION}
COPY bun /usr/local/bin/bun
RUN ln -s /usr/local/bin/bun /usr/local/bin/bunx \
    && groupadd --gid 1000 bun \
    && useradd --uid 1000 --gid bun --shell /bin/sh --create-home bun \
    && mkdir -p /home/bun/app && chown bun:bun /home/bun/app \
    && bun --version
WORKDIR /home/bun/app
CMD ["/usr/local/bin/bun"]
