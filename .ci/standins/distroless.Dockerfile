# gcr.io/distroless/* stand-in: Debian 12 packages unpacked into an empty image (no shell, no
# package manager), the users root, nobody and nonroot (65532), and the CA bundle.
# FLAVOUR=static: base-files, netbase, tzdata. FLAVOUR=cc adds glibc, libgcc, libgomp,
# libstdc++ and OpenSSL's libraries.
ARG FROM
FROM ${FROM} AS assemble
ARG FLAVOUR=static
RUN set -eu; \
    packages="base-files netbase tzdata"; \
    if [ "$FLAVOUR" = cc ]; then packages="$packages libc6 libgcc-s1 libgomp1 libstdc++6 libssl3"; fi; \
    apt-get update; \
    mkdir -p /tmp/debs /out; cd /tmp/debs; \
    apt-get download $packages; \
    for deb in *.deb; do dpkg-deb -x "$deb" /out; done; \
    rm -rf /var/lib/apt/lists/* /tmp/debs; \
    cd /out; \
    find usr/share/doc -mindepth 2 ! -name copyright -type f -delete 2>/dev/null || true; \
    rm -rf usr/share/man usr/share/info usr/share/lintian usr/share/locale; \
    mkdir -p etc/ssl/certs home/nonroot tmp root; \
    chmod 1777 tmp; chmod 700 root; chown 65532:65532 home/nonroot; \
    cp /etc/ssl/certs/ca-certificates.crt etc/ssl/certs/; \
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > etc/passwd; \
    printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' > etc/group; \
    printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\nprotocols: files\nservices: files\n' > etc/nsswitch.conf

FROM scratch
ARG USER=0
ARG WORKDIR=/
COPY --from=assemble /out/ /
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER ${USER}
WORKDIR ${WORKDIR}
