# A Debian base with libatomic1, which the Node.js binaries from release 25 on link against
# (the official node images install it; base.Dockerfile does not). Only the node stand-ins that
# need it are built on this one, so the others keep their layers.
ARG FROM
FROM ${FROM}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libatomic1 \
    && rm -rf /var/lib/apt/lists/*
CMD ["bash"]
