#!/bin/bash
# k8snode-runtime-image.sh [OUTDIR] [CONTAINERD_SOCKET]
#
# The image H-MAS's Kubernetes tests run their pods with, built without a registry or an image
# builder (like k8snode/make-image.sh): hmas-test.local/node-host:1 -> OUTDIR/node-host.tar.
#
# It carries no Node.js: a pod mounts the host's /usr read-only at /usr (on Debian, node and every
# shared library live there; /lib and /lib64 are links into usr/ as on the host) and the repository
# by hostPath at its own path, then runs `node <repo>/...`. The rootfs is a static busybox (a shell
# and the usual tools in /bin), /etc/passwd and /etc/group with root and nobody, and /tmp (1777).
#
# With CONTAINERD_SOCKET the image is imported into containerd's "k8s.io" namespace (the one
# kubelet sees); pods use imagePullPolicy: Never or IfNotPresent. OUTDIR defaults to
# $K8SNODE_HOME/images (K8SNODE_HOME defaults to ~/.cache/k8snode). Deterministic: the same
# busybox gives the same image digest, so importing it again changes nothing.
set -euo pipefail
OUT=${1:-${K8SNODE_HOME:-$HOME/.cache/k8snode}/images}; SOCK=${2:-}
REF=hmas-test.local/node-host:1
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
. "$(dirname "$0")/k8snode/docker-archive.sh"
command -v busybox >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null
BB=$(command -v busybox)
[[ $(ldd "$BB" 2>&1 || true) == *"not a dynamic"* ]] || { echo "$BB is not static (install busybox-static)"; exit 1; }

W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
R=$W/rootfs; mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/usr" "$R/root"
chmod 1777 "$R/tmp"
cp "$BB" "$R/bin/busybox"
for a in $("$BB" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
# The dynamic loader (/lib64/ld-linux-x86-64.so.2) and libraries are found through these links
# once the host's /usr is mounted.
ln -s usr/lib "$R/lib"; ln -s usr/lib64 "$R/lib64"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
mkimage "$REF" "$R" \
  '{"Cmd":["sh"],"Env":["PATH=/usr/local/bin:/usr/bin:/bin","HOME=/root"],"WorkingDir":"/"}' "$OUT/node-host.tar"

if [ -n "$SOCK" ]; then
  ctr -a "$SOCK" -n k8s.io images import "$OUT/node-host.tar" >/dev/null
  ctr -a "$SOCK" -n k8s.io images ls -q | grep -x "$REF"
fi
