# Busybox built from Debian's own source package with its default configuration (every applet,
# as on Alpine, where Debian's binary package leaves out adduser, addgroup and others).
# The alpine-like stand-ins copy /bin/busybox from this image. The `tc` applet is left out: it
# does not build against current kernel headers.
ARG FROM
FROM ${FROM} AS build
RUN sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
       > /etc/apt/sources.list.d/debian-src.sources \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       gcc libc6-dev make dpkg-dev xz-utils bzip2 \
    && mkdir /src && cd /src && apt-get source --download-only busybox \
    && dpkg-source -x busybox_*.dsc busybox \
    && cd busybox && make defconfig >/dev/null \
    && sed -i 's/^CONFIG_TC=y/# CONFIG_TC is not set/' .config \
    && make -j"$(nproc)" busybox >/dev/null \
    && mkdir -p /out/bin && install -m 0755 busybox /out/bin/busybox && ln -s busybox /out/bin/sh \
    && /out/bin/busybox adduser --help 2>&1 | head -n 1
FROM scratch
COPY --from=build /out/ /
ENTRYPOINT ["/bin/busybox"]
