#!/bin/bash
# Sourced by make-image.sh and ../k8snode-runtime-image.sh: defines mkimage, which writes a one-layer
# image in "docker save" (docker-archive) format that `ctr images import` reads. Moved here unchanged
# from make-image.sh so the two image scripts share it.

# mkimage NAME:TAG ROOTFS_DIR CONFIG_JSON OUT.tar
#  - layer.tar: one uncompressed layer, deterministic (sorted, mtime 0, uid/gid 0)
#  - <sha>.json: image config; rootfs.diff_ids must be the sha256 of the uncompressed layer
#  - manifest.json: docker-archive index: Config, RepoTags, Layers
mkimage() {
  local ref=$1 root=$2 cfg=$3 out=$4 d; d=$(mktemp -d)
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$d/layer.tar" .
  local lsha; lsha=$(sha256sum "$d/layer.tar" | cut -d' ' -f1)
  mkdir "$d/$lsha"; mv "$d/layer.tar" "$d/$lsha/layer.tar"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"make-image.sh"}]}' \
    "$cfg" "$lsha" > "$d/config.json"
  local csha; csha=$(sha256sum "$d/config.json" | cut -d' ' -f1); mv "$d/config.json" "$d/$csha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$csha" "$ref" "$lsha" > "$d/manifest.json"
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$d" -cf "$out" manifest.json "$csha.json" "$lsha/layer.tar"
  rm -rf "$d"; echo "built $ref -> $out ($(du -h "$out" | cut -f1))"
}
