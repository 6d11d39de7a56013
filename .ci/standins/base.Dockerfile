# The common layer of every stand-in: a debootstrap --variant=minbase tree of Debian (imported
# by engine.sh), plus the CA certificates through which this machine reaches the package
# registries. Tagged debian:<release>-slim as well.
ARG FROM
FROM ${FROM}
COPY certs/ /usr/local/share/ca-certificates/
RUN apt-get update \
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
