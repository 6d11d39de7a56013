#!/bin/sh
# Gives a Debian stand-in the commands an Alpine-based Dockerfile relies on: links to busybox
# (copied to /usr/bin/busybox by the Dockerfile, built from Debian's source package with every
# applet) for `wget`, `adduser -S`, `addgroup -S`, `ash` and every other applet Debian has no
# command for, and an `apk` that is not Alpine's: it installs the Debian packages that do the job
# of the few Alpine packages named in its table (build tools and the libraries of native
# dependencies) and refuses every other name, option and version pin, saying so.
set -eu
mkdir -p /sbin
cat >/sbin/apk <<'APK'
#!/bin/sh
# apk of the alpine-like stand-ins (docs/engine.md): NOT Alpine's package manager. Alpine's
# packages cannot be had on these machines; `apk add` installs the Debian (trixie) packages that
# do the job of the Alpine packages below, and fails on anything else.
set -eu
fail() { echo "apk (stand-in, Debian underneath): $*" >&2; exit 1; }
debian_of() {
  case "$1" in
    build-base) echo build-essential ;;
    gcc | g++ | make | perl | git | curl | bash | tini | python3 | python3-dev | openssl | ca-certificates) echo "$1" ;;
    musl-dev | libc-dev) echo libc6-dev ;;
    libc6-compat | gcompat) echo "" ;; # glibc is the C library already
    py3-pip) echo python3-pip ;;
    pkgconf | pkgconfig) echo pkgconf ;;
    openssl-dev) echo libssl-dev ;;
    libssl3) echo libssl3t64 ;;
    libpq-dev | postgresql-dev) echo libpq-dev ;;
    libpq) echo libpq5 ;;
    mariadb-dev) echo libmariadb-dev ;;
    mariadb-connector-c) echo libmariadb3 ;;
    pcre2-dev) echo libpcre2-dev ;;
    pcre2) echo libpcre2-8-0 ;;
    *) return 1 ;;
  esac
}
command=""
virtual=""
names=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-cache | --update | -U | --update-cache | -q | --quiet | --no-progress) ;;
    -t | --virtual) [ $# -ge 2 ] || fail "$1 needs a name"; virtual="$2"; shift ;;
    add | del | update) [ -z "$command" ] || names="$names $1"; [ -n "$command" ] || command="$1" ;;
    -*) fail "option $1 is not supported" ;;
    *) [ -n "$command" ] || fail "command $1 is not supported (only add, del, update)"; names="$names $1" ;;
  esac
  shift
done
record=/var/lib/aigen-ci/apk-virtual
case "$command" in
  update) echo "apk (stand-in): nothing to update; add runs apt-get update itself" >&2 ;;
  add)
    debs=""
    for name in $names; do
      case "$name" in *[=\<\>~]*) fail "version pins are not supported: $name" ;; esac
      deb="$(debian_of "$name")" || fail "no Debian package stands in for Alpine's $name"
      debs="$debs${deb:+ $deb}"
    done
    echo "apk (stand-in): Alpine's$names as Debian's${debs:- (nothing)}" >&2
    if [ -n "$(echo $debs)" ]; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $debs >/dev/null
      rm -rf /var/lib/apt/lists/*
    fi
    if [ -n "$virtual" ]; then mkdir -p "$record"; echo $debs >"$record/$virtual"; fi
    ;;
  del)
    debs=""
    for name in $names; do
      if [ -f "$record/$name" ]; then
        debs="$debs $(cat "$record/$name")"
        rm -f "$record/$name"
      else
        deb="$(debian_of "$name")" || fail "no Debian package stands in for Alpine's $name"
        debs="$debs${deb:+ $deb}"
      fi
    done
    [ -z "$(echo $debs)" ] || DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq --auto-remove $debs >/dev/null
    ;;
  *) fail "no command (only add, del, update)" ;;
esac
APK
chmod 755 /sbin/apk
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
for needed in wget adduser addgroup ash apk; do
  command -v "$needed" >/dev/null 2>&1 || { echo "busybox has no $needed applet" >&2; exit 1; }
done
