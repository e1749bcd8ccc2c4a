#!/bin/bash
# make-image.sh OUTDIR [CONTAINERD_SOCKET]
#
# Builds two container images WITHOUT any registry or image builder, only with Debian
# packages (gcc + libc6-dev for a static pause, busybox-static for the app), tar and JSON
# written by hand, in "docker save" (docker-archive) format, which `ctr images import` reads:
#
#   OUTDIR/pause.tar  -> k8snode.local/pause:3.4    (kubernetes build/pause/linux/pause.c, static)
#   OUTDIR/app.tar    -> k8snode.local/busybox:1.35 (static busybox + all applet links + /www)
#
# If CONTAINERD_SOCKET is given the images are imported into containerd's "k8s.io" namespace
# (the namespace the CRI plugin, i.e. kubelet, sees) and unpacked for the overlayfs snapshotter.
# pause.c is taken from the unpacked Debian kubernetes source (build-all.sh); set PAUSE_C to
# override.  Run as root on Debian bookworm.
set -euo pipefail
OUT=${1:?outdir}; SOCK=${2:-}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
PAUSE_C=${PAUSE_C:-${K8SNODE_HOME:-$HOME/.cache/k8snode}/build/gopath/src/k8s.io/kubernetes/build/pause/linux/pause.c}
command -v busybox >/dev/null && [ -f /usr/lib/x86_64-linux-gnu/libc.a ] && command -v gcc >/dev/null ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static gcc libc6-dev >/dev/null
# busybox-static installs /bin/busybox (static); check it really is static before copying it.
BB=$(command -v busybox)
[[ $(ldd "$BB" 2>&1 || true) == *"not a dynamic"* ]] || { echo "$BB is not static (install busybox-static)"; exit 1; }

# mkimage NAME:TAG ROOTFS_DIR CONFIG_JSON OUT.tar (docker-archive.sh, shared with the runtime image)
. "$(dirname "$0")/docker-archive.sh"

W=$(mktemp -d)
# --- pause: the sandbox ("infra") container every pod needs; just sleeps and reaps zombies.
# Static glibc build of the upstream source (692K); runs as 65535:65535 like upstream pause >= 3.5.
mkdir -p "$W/pause"
gcc -Os -Wall -static -DVERSION=v3.4-debian -o "$W/pause/pause" "$PAUSE_C"
strip "$W/pause/pause"
mkimage k8snode.local/pause:3.4 "$W/pause" '{"Entrypoint":["/pause"],"User":"65535:65535","WorkingDir":"/"}' "$OUT/pause.tar"

# --- app: static busybox; every applet as a symlink in /bin, a page in /www, /tmp.
# Default command serves /www over HTTP on port 8080 (override in the pod spec).
R=$W/app; mkdir -p "$R/bin" "$R/www" "$R/tmp" "$R/etc"; chmod 1777 "$R/tmp"
cp "$BB" "$R/bin/busybox"
for a in $("$BB" --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
echo "hello from a kubernetes pod built from Debian packages" > "$R/www/index.html"
echo 'root:x:0:0:root:/:/bin/sh' > "$R/etc/passwd"; echo 'root:x:0:' > "$R/etc/group"
mkimage k8snode.local/busybox:1.35 "$R" \
  '{"Cmd":["httpd","-f","-v","-p","8080","-h","/www"],"Env":["PATH=/bin"],"WorkingDir":"/","ExposedPorts":{"8080/tcp":{}}}' "$OUT/app.tar"
rm -rf "$W"

if [ -n "$SOCK" ]; then
  for t in pause app; do ctr -a "$SOCK" -n k8s.io images import "$OUT/$t.tar"; done
  ctr -a "$SOCK" -n k8s.io images ls -q | grep k8snode.local
fi
