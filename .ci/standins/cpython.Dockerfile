# python:X.Y-slim stand-in for a CPython release Debian does not package (3.12): CPython built
# from its own source, as the official image builds it (configure --enable-shared
# --with-ensurepip=install into /usr/local, then the build packages purged and the libraries the
# interpreter links kept), without the profile-guided and link-time optimisation the official
# image spends an hour on. The source is the release tag of github.com/python/cpython as the Go
# module proxy serves it (checked against the Go checksum database by `go mod download`).
ARG FROM
FROM ${FROM}
ARG PYTHON_VERSION
ENV PYTHON_VERSION=${PYTHON_VERSION} \
    LANG=C.UTF-8 \
    PATH=/usr/local/bin:$PATH
COPY cpython /usr/src/python
RUN set -eux; \
    savedAptMark="$(apt-mark showmanual)"; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       dpkg-dev gcc make libc6-dev libbz2-dev libdb-dev libexpat1-dev libffi-dev libgdbm-dev \
       liblzma-dev libncurses-dev libreadline-dev libsqlite3-dev libssl-dev uuid-dev zlib1g-dev; \
    cd /usr/src/python; \
    ./configure --build="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)" \
       --enable-loadable-sqlite-extensions --enable-option-checking=fatal --enable-shared \
       --with-ensurepip=install --with-system-expat LDFLAGS="-Wl,-rpath=/usr/local/lib" >/dev/null; \
    make -j"$(nproc)" >/dev/null; \
    make install >/dev/null; \
    cd /; rm -rf /usr/src/python; \
    find /usr/local -depth \( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
       -o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) -exec rm -rf '{}' +; \
    ldconfig; \
    apt-mark auto '.*' >/dev/null; \
    apt-mark manual $savedAptMark >/dev/null; \
    find /usr/local -type f -executable -not \( -name '*tkinter*' \) -exec ldd '{}' ';' \
       | awk '/=>/ { so = $(NF-1); if (index(so, "/usr/local/") == 1) next; gsub("^/(usr/)?", "", so); printf "*%s\n", so }' \
       | sort -u | xargs -r dpkg-query --search | awk -F: '!/^diversion by/ { print $1 }' \
       | sort -u | xargs -r apt-mark manual; \
    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \
    rm -rf /var/lib/apt/lists/*; \
    for src in idle3 pip3 pydoc3 python3 python3-config; do \
       [ -e "/usr/local/bin/${src%3}" ] || ln -s "$src" "/usr/local/bin/${src%3}"; \
    done; \
    python --version; pip --version
CMD ["python3"]
