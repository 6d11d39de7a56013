# rust:*-slim stand-in: the machine's own rustup toolchain (rustc, cargo, rust-std, clippy,
# rustfmt; no docs) and rustup itself, in /usr/local/rustup and /usr/local/cargo as in the
# official image (writable by everyone, as there), with gcc and libc6-dev for linking.
ARG FROM
FROM ${FROM}
ARG RUST_VERSION
ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    RUST_VERSION=${RUST_VERSION}
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY rustup/ /usr/local/rustup/
COPY cargo/ /usr/local/cargo/
RUN rustup --version && cargo --version && rustc --version
