#!/bin/sh
# Gives a Debian stand-in the commands an Alpine-based Dockerfile relies on: links to busybox
# (copied to /usr/bin/busybox by the Dockerfile, built from Debian's source package with every
# applet) for `wget`, `adduser -S`, `addgroup -S`, `ash` and every other applet Debian has no
# command for. Alpine's package manager `apk` cannot be reproduced and is not provided.
set -eu
for applet in $(busybox --list); do
  case "$applet" in
    # Alpine keeps these in /usr/sbin; the rest in /usr/bin.
    adduser | addgroup | deluser | delgroup) dir=/usr/sbin ;;
    *) dir=/usr/bin ;;
  esac
  if ! command -v "$applet" >/dev/null 2>&1 && [ ! -e "$dir/$applet" ]; then
    ln -s /usr/bin/busybox "$dir/$applet"
  fi
done
for needed in wget adduser addgroup ash; do
  command -v "$needed" >/dev/null 2>&1 || { echo "busybox has no $needed applet" >&2; exit 1; }
done
