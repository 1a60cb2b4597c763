#!/usr/bin/env bash
# Builds the Dockerfile for real and runs the image, with no registry and no Docker engine:
#   1. a base image like node:*-bookworm-slim, made here: a Debian bookworm root file system
#      (debootstrap --variant=minbase, from this machine's apt mirror) with this machine's own
#      node and npm and a `node` user (uid 1000), committed with buildah. It is kept in the
#      buildah storage below and reused while the Node.js version is the same.
#   2. `buildah bud -f Dockerfile .`, npm reaching its registry through this machine's CA
#      bundle (mounted read-only, passed as the Dockerfile's NODE_EXTRA_CA_CERTS). The image is
#      tagged with a digest of everything the build reads (the Dockerfile, .dockerignore, the
#      files it copies, the base image) and kept: a run whose inputs are unchanged uses it
#      instead of building again (the build is most of a warm run), and a new build replaces it.
#   3. the image's ENTRYPOINT run as uid 1000: --version, no arguments (the CMD), and `demo`
#      on a read-only root file system with a tmpfs on /tmp, as Kubernetes runs it.
# Usage: build-and-run.sh OUTDIR. Needs root, debootstrap, buildah, unshare. What the image
# printed, its config and the layer sizes land in OUTDIR; test/container/image.test.ts reads them.
set -euo pipefail

out=$(realpath "${1:?usage: build-and-run.sh OUTDIR}")
repo=$(cd "$(dirname "$0")/../.." && pwd)
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
storage=${AML_NETCHECK_BUILDAH_ROOT:-/var/tmp/aml-netcheck-buildah}
bah() { buildah --root "$storage/root" --runroot "$storage/run" --storage-driver vfs "$@"; }
seconds() { date +%s.%N; }

node_version=$(node --version)
base="localhost/aml-netcheck-base:bookworm-node${node_version#v}"
work=$(mktemp -d /var/tmp/aml-netcheck-image.XXXXXX)
containers=()
cleanup() {
  for ctr in "${containers[@]}"; do bah umount "$ctr" >/dev/null 2>&1 || true; bah rm "$ctr" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The mirror this machine's apt uses, so debootstrap works wherever apt does.
mirror() {
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  [ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

build_base() {
  local rootfs="$work/rootfs" npm_root ctr mnt
  debootstrap --variant=minbase bookworm "$rootfs" "$(mirror)" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; return 1; }
  # Laid out as the official node image: node and npm under /usr/local, user node 1000:1000.
  install -m 0755 "$(command -v node)" "$rootfs/usr/local/bin/node"
  npm_root=$(npm root -g)/npm
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_root" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # A container runtime provides /dev; package caches and lists are dead weight.
  rm -rf "$rootfs"/dev/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  ctr=$(bah from scratch)
  containers+=("$ctr")
  mnt=$(bah mount "$ctr")
  cp -a "$rootfs"/. "$mnt"/
  bah umount "$ctr" >/dev/null
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="${node_version#v}" --cmd node "$ctr"
  bah commit --quiet "$ctr" "$base" >/dev/null
  rm -rf "$rootfs"
}

t0=$(seconds)
if bah inspect --type image "$base" >/dev/null 2>&1; then
  base_cached=true
else
  base_cached=false
  build_base
fi
t1=$(seconds)

# Everything the build reads, by name and content: the context is what .dockerignore lets in.
inputs=$(cd "$repo" && {
  echo "base $(bah inspect --type image --format '{{.FromImageID}}' "$base")"
  find Dockerfile .dockerignore package.json package-lock.json tsconfig.json src probes schema -type f -print0 2>/dev/null \
    | LC_ALL=C sort -z | xargs -0 sha256sum
} | sha256sum | cut -c1-16)
image="localhost/aml-netcheck:inputs-$inputs"
# Earlier builds from other inputs would only fill the storage; one a run beside this one is
# using (a container made from it) stays, as rmi without -f refuses it.
bah images --noheading --format '{{.Name}}:{{.Tag}}' | grep '^localhost/aml-netcheck:inputs-' | grep -vx "$image" \
  | while read -r old; do bah rmi "$old" >/dev/null 2>&1 || true; done || true

version=$(node -p "require('$repo/package.json').version")
if bah inspect --type image "$image" >/dev/null 2>&1; then
  build_cached=true
else
  build_cached=false
  bah bud --quiet --layers=false --pull=never \
    --volume /etc/ssl/certs:/etc/ssl/certs:ro \
    --build-arg BASE_IMAGE="$base" \
    --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --build-arg VERSION="$version" \
    -t "$image" -f "$repo/Dockerfile" "$repo" >"$work/bud.log" 2>&1 \
    || { tail -n 40 "$work/bud.log" >&2; exit 1; }
fi
t2=$(seconds)

bah inspect --type image "$image" >"$out/image.json"
bah inspect --type image "$base" >"$out/base.json"

# The command line exactly as the image declares it.
mapfile -t entrypoint < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1])).OCIv1.config.Entrypoint) console.log(a)' "$out/image.json")
ctr=$(bah from --pull=never "$image")
containers+=("$ctr")
set +e
bah run --user 1000:1000 "$ctr" -- "${entrypoint[@]}" --version >"$out/version.stdout" 2>"$out/version.stderr"
echo $? >"$out/version.code"
mapfile -t cmd < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1])).OCIv1.config.Cmd) console.log(a)' "$out/image.json")
bah run --user 1000:1000 "$ctr" -- "${entrypoint[@]}" "${cmd[@]}" >"$out/cmd.stdout" 2>"$out/cmd.stderr"
echo $? >"$out/cmd.code"
bah run --user 1000:1000 "$ctr" -- id -u >"$out/id.stdout" 2>&1
set -e

# demo as Kubernetes runs it (readOnlyRootFilesystem, an emptyDir on /tmp): the image's root
# bind-mounted read-only in a mount namespace of its own, /tmp a fresh tmpfs, uid 1000.
root=$(bah mount "$ctr")
(cd "$root/app" && ls -A . && ls -A node_modules | sed 's|^|node_modules/|') >"$out/app-files.txt"
workdir=$(node -p "JSON.parse(require('fs').readFileSync(process.argv[1])).OCIv1.config.WorkingDir || '/'" "$out/image.json")
mapfile -t env < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(process.argv[1])).OCIv1.config.Env) console.log(a)' "$out/image.json")
set +e
unshare --mount --propagation private -- bash -c '
  set -e
  root=$1; workdir=$2; shift 2
  mount --bind "$root" "$root"
  mount -o remount,bind,ro "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  exec chroot --userspec=1000:1000 "$root" /usr/bin/env -i "$@"
' readonly-root "$root" "$workdir" "${env[@]}" HOME=/tmp /bin/sh -c 'cd "$0" || exit 97; if touch ./written-to-root 2>/dev/null; then echo "the root file system is writable" >&2; exit 98; fi; exec "$@"' "$workdir" \
  "${entrypoint[@]}" demo -o json --out /tmp/demo-report.json >"$out/demo.stdout" 2>"$out/demo.stderr"
echo $? >"$out/demo.code"
set -e
t3=$(seconds)

cat >"$out/timing.json" <<EOF
{"baseCached": $base_cached, "buildCached": $build_cached, "baseSeconds": $(awk "BEGIN{print $t1 - $t0}"), "buildSeconds": $(awk "BEGIN{print $t2 - $t1}"), "runSeconds": $(awk "BEGIN{print $t3 - $t2}")}
EOF
