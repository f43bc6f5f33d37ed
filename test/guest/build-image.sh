#!/usr/bin/env bash
# Builds the guest image once: a Debian bookworm root filesystem with cloud-init, openssh-server and
# qemu-guest-agent (mmdebstrap from Debian's repositories), its kernel and initrd for direct boot, and a compressed
# qcow2 of it. Cached outside the repo under a hash of this recipe; prints the cache directory. A warm cache
# returns at once. Needs root, mmdebstrap, qemu-img and mkfs.ext4.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${WUKONG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wukong}
# The recipe is this script without its comments: a reworded comment does not rebuild the image.
recipe=$(grep -v '^[[:space:]]*#' "$here/build-image.sh" | sha256sum | cut -c1-16)
dir="$cache_root/guest/$recipe"
if [ -f "$dir/done" ]; then echo "$dir"; exit 0; fi
# Builds share $dir.partial: a second one waits for the first, then finds its image.
mkdir -p "$cache_root/guest"
exec 9>"$cache_root/guest/build.lock"
flock 9
if [ -f "$dir/done" ]; then echo "$dir"; exit 0; fi

started=$SECONDS
echo "building the guest image into $dir (2 to 10 minutes, depending on load)" >&2
rm -rf "$dir.partial" && mkdir -p "$dir.partial"
rootfs="$dir.partial/rootfs"

packages=(
  systemd-sysv udev dbus linux-image-amd64 initramfs-tools locales
  cloud-init cloud-guest-utils openssh-server iproute2 ifupdown isc-dhcp-client sudo e2fsprogs
  qemu-guest-agent iputils-ping
)
# The locale is generated and set here: unset, cloud-init's locale module regenerates it at first boot, which takes
# about 2 minutes under TCG. cloud-init reads only the NoCloud seed and manages /etc/hosts (or sudo warns).
# shellcheck disable=SC2016 # $1 is mmdebstrap's hook argument: the root filesystem.
mmdebstrap --variant=minbase --aptopt='APT::Install-Recommends "false"' \
  --include="$(IFS=,; echo "${packages[*]}")" \
  --customize-hook='echo "en_US.UTF-8 UTF-8" > "$1/etc/locale.gen" && chroot "$1" locale-gen >/dev/null' \
  --customize-hook='echo "LANG=en_US.UTF-8" > "$1/etc/default/locale"' \
  --customize-hook='echo "LABEL=wukong-root / ext4 defaults 0 1" > "$1/etc/fstab"' \
  --customize-hook='printf "datasource_list: [NoCloud, None]\nmanage_etc_hosts: true\n" > "$1/etc/cloud/cloud.cfg.d/90-wukong.cfg"' \
  --customize-hook='rm -f "$1/etc/hostname" "$1/etc/ssh/ssh_host_"*' \
  --customize-hook='chroot "$1" systemctl disable apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service >/dev/null 2>&1 || true' \
  bookworm "$rootfs" >"$dir.partial/mmdebstrap.log" 2>&1 \
  || { tail -30 "$dir.partial/mmdebstrap.log" >&2; exit 1; }

cp "$rootfs"/boot/vmlinuz-* "$dir.partial/vmlinuz"
cp "$rootfs"/boot/initrd.img-* "$dir.partial/initrd.img"
truncate -s 2G "$dir.partial/root.raw"
mkfs.ext4 -q -L wukong-root -d "$rootfs" "$dir.partial/root.raw"
qemu-img convert -c -f raw -O qcow2 "$dir.partial/root.raw" "$dir.partial/base.qcow2"
rm "$dir.partial/root.raw"
touch "$dir.partial/done"
rm -rf "$dir" && mv "$dir.partial" "$dir"
echo "built the guest image in $((SECONDS - started))s" >&2
echo "$dir"
