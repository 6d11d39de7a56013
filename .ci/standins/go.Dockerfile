# golang:* stand-in: the real Go toolchain of the given version (Go module proxy,
# golang.org/toolchain) in /usr/local/go, GOPATH /go, GOTOOLCHAIN=local, as in the official image.
# The Debian variant adds what the official one has from buildpack-deps (gcc, make, git, curl);
# VARIANT=alpine adds busybox's applets instead (wget, adduser -S, addgroup -S)
# and the apk stand-in of alpine-like.sh (Debian packages for a few Alpine names).
# The variant's layer comes first, so that every Go version shares it.
ARG FROM
FROM ${FROM}
COPY alpine-like.sh /tmp/alpine-like.sh
COPY --from=aigen-ci/busybox:trixie /bin/busybox /usr/local/lib/aigen-ci/busybox
ARG VARIANT=debian
RUN if [ "$VARIANT" = alpine ]; then \
        mv /usr/local/lib/aigen-ci/busybox /usr/bin/busybox \
        && sh /tmp/alpine-like.sh; \
    else \
        apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
           g++ gcc libc6-dev make pkg-config git curl wget openssh-client procps \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && rm -rf /tmp/alpine-like.sh /usr/local/lib/aigen-ci
ARG GO_VERSION
COPY go/ /usr/local/go/
ENV GOLANG_VERSION=${GO_VERSION} \
    GOTOOLCHAIN=local \
    GOPATH=/go \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN mkdir -p "$GOPATH/src" "$GOPATH/bin" \
    && chmod -R 1777 "$GOPATH" \
    && go version
WORKDIR /go
