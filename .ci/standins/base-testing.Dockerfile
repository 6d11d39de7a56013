# The common layer of the stand-ins built on Debian's testing release (forky): the same as
# base.Dockerfile, and apt accepts the release files of a mirror snapshot older than their
# `Valid-Until` (testing's are valid for days only, and the mirror these machines reach is a
# snapshot). Only these stand-ins carry that setting.
ARG FROM
FROM ${FROM}
COPY certs/ /usr/local/share/ca-certificates/
RUN echo 'Acquire::Check-Valid-Until "false";' > /etc/apt/apt.conf.d/99snapshot-mirror \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && update-ca-certificates
# Tools with trust stores of their own are told where the system bundle is. These variables
# belong to the stand-ins only, never to the Dockerfiles aigen writes.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/etc/ssl/certs \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    CURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    CARGO_HTTP_CAINFO=/etc/ssl/certs/ca-certificates.crt \
    GIT_SSL_CAINFO=/etc/ssl/certs/ca-certificates.crt \
    UV_NATIVE_TLS=1
CMD ["bash"]
