# alpine:* stand-in: Debian with busybox's applets where Alpine has them (wget, adduser -S,
# addgroup -S, ash), and an apk that installs Debian packages for a few Alpine names (see
# alpine-like.sh): Alpine's own packages cannot be installed here.
ARG FROM
FROM ${FROM}
COPY alpine-like.sh /tmp/alpine-like.sh
COPY --from=aigen-ci/busybox:trixie /bin/busybox /usr/local/lib/aigen-ci/busybox
RUN mv /usr/local/lib/aigen-ci/busybox /usr/bin/busybox \
        && sh /tmp/alpine-like.sh && rm -rf /tmp/alpine-like.sh /usr/local/lib/aigen-ci
CMD ["/bin/sh"]
