# python:*-slim stand-in: Debian's CPython (trixie 3.13, bookworm 3.11) with pip and venv, made
# to behave like the official image: the interpreter's C headers (the official image has them, so
# that extensions without a wheel compile once a C compiler is installed), no PEP 668 marker,
# `python` and `pip` commands (also in /usr/local/bin), and packages found in the official image's
# /usr/local/lib/pythonX.Y/site-packages as well as in Debian's dist-packages.
ARG FROM
FROM ${FROM}
ENV LANG=C.UTF-8
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       python3 python3-dev python3-pip python3-venv python-is-python3 \
    && rm -rf /var/lib/apt/lists/* \
    && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \
    && { [ -e /usr/bin/pip ] || ln -s pip3 /usr/bin/pip; } \
    && version="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
    && mkdir -p "/usr/local/lib/python$version/dist-packages" "/usr/local/lib/python$version/site-packages" \
    && echo "/usr/local/lib/python$version/site-packages" \
       > "/usr/local/lib/python$version/dist-packages/official-site-packages.pth" \
    && ln -s /usr/bin/python3 /usr/local/bin/python3 \
    && ln -s /usr/bin/python3 /usr/local/bin/python \
    && ln -s /usr/bin/pip3 /usr/local/bin/pip3 \
    && ln -s /usr/bin/pip3 /usr/local/bin/pip \
    && python --version && pip --version
CMD ["python3"]
