# Throw-away Debian roots for the fresh-machine, version-matrix and package
# tests (sourced, not run).  Needs root and debootstrap (installed if missing).
#
#   root_create DIR SUITE PKG...   debootstrap --variant=minbase SUITE into DIR from
#                                  this machine's configured Debian archive, mount
#                                  /proc, /dev, /dev/pts, /dev/shm, install PKG...
#   root_adduser DIR USER [sudo]   a login user, with passwordless sudo if asked
#   root_run DIR USER CMD          run CMD (a bash command line) as USER in DIR with a
#                                  clean login environment (no variable of ours leaks in)
#   root_copy_repo DIR USER DEST   clone this repository's HEAD to DEST (in DIR), owned
#                                  by USER; with KPI_ROOT_WORKTREE=1 the working tree
#                                  (tracked and untracked, not ignored) instead
#   root_destroy DIR               stop every process in DIR, unmount, remove DIR
#
# Env: KPI_DEBIAN_MIRROR overrides the archive (default: the first Debian archive
# in /etc/apt/sources.list{,.d}, else http://deb.debian.org/debian).

root_need_host() {
    if [ "$(id -u)" != 0 ]; then
        echo "this test builds Debian roots with debootstrap and chroot: run it as root" >&2
        return 1
    fi
    if ! command -v debootstrap >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
}

# The machine's configured Debian archive (not the security archive).
root_mirror() {
    if [ -n "${KPI_DEBIAN_MIRROR:-}" ]; then echo "$KPI_DEBIAN_MIRROR"; return; fi
    local m
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE '(https?|file):[^ ]*/debian/?( |$)' | grep -v security | head -1 | tr -d ' ')
    echo "${m:-http://deb.debian.org/debian}"
}

root_mount() {
    local d=$1
    mountpoint -q "$d/proc" || mount -t proc proc "$d/proc"
    mountpoint -q "$d/dev" || mount --bind /dev "$d/dev"
    mountpoint -q "$d/dev/pts" || mount --bind /dev/pts "$d/dev/pts"
    mountpoint -q "$d/dev/shm" || mount -t tmpfs -o mode=1777 shm "$d/dev/shm"
}

root_create() {
    local d=$1 suite=$2; shift 2
    root_need_host || return 1
    mkdir -p "$d"
    chmod 755 "$d"      # mktemp -d makes 0700: the root's / must be readable by its users
    echo "== debootstrap $suite into $d ($(root_mirror))"
    if ! debootstrap --variant=minbase "$suite" "$d" "$(root_mirror)" > "$d.debootstrap.log" 2>&1; then
        tail -20 "$d.debootstrap.log"
        return 1
    fi
    rm -f "$d.debootstrap.log"
    # a machine's own name resolves (sudo looks it up)
    cp /etc/resolv.conf "$d/etc/resolv.conf" 2>/dev/null || true
    printf '127.0.0.1 localhost\n127.0.1.1 %s\n::1 localhost ip6-localhost\n' "$(hostname)" > "$d/etc/hosts"
    # a chroot must not start services: nothing may outlive the test
    printf '#!/bin/sh\nexit 101\n' > "$d/usr/sbin/policy-rc.d"
    # the archive this machine reaches may serve a suite (sid) whose Release file
    # has passed its Valid-Until date: accept it, inside the throw-away root only
    echo 'Acquire::Check-Valid-Until "false";' > "$d/etc/apt/apt.conf.d/99sales-kpi-test"
    chmod 755 "$d/usr/sbin/policy-rc.d"
    root_mount "$d"
    if [ $# -gt 0 ]; then
        echo "== apt-get install $*"
        chroot "$d" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
            bash -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' apt "$@" \
            > "$d/tmp/apt.log" 2>&1 || { tail -30 "$d/tmp/apt.log"; return 1; }
    fi
}

root_adduser() {
    local d=$1 user=$2 sudo=${3:-}
    chroot "$d" /usr/sbin/useradd -m -s /bin/bash "$user"
    if [ "$sudo" = sudo ]; then
        echo "$user ALL=(ALL) NOPASSWD: ALL" > "$d/etc/sudoers.d/$user"
        chmod 440 "$d/etc/sudoers.d/$user"
    fi
}

root_run() {
    local d=$1 user=$2 cmd=$3 home
    home=$(chroot "$d" getent passwd "$user" | cut -d: -f6)
    chroot "$d" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
        HOME="$home" USER="$user" LOGNAME="$user" LANG=C.UTF-8 TERM=dumb \
        /usr/sbin/runuser -u "$user" -- bash -c "cd ~ && $cmd"
}

root_copy_repo() {
    local d=$1 user=$2 dest=$3 src
    src=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)
    rm -rf "$d$dest"
    if [ "${KPI_ROOT_WORKTREE:-0}" = 1 ]; then
        mkdir -p "$d$dest"
        (cd "$src" && git ls-files -z -co --exclude-standard | tar --null -T - -cf -) | tar -C "$d$dest" -xf -
        git clone -q --bare "$src" "$d$dest/.git" && git -C "$d$dest" config core.bare false
    else
        git clone -q --no-local "$src" "$d$dest"
    fi
    chroot "$d" chown -R "$user:" "$dest"
}

root_destroy() {
    local d=$1 p r m
    [ -d "$d" ] || return 0
    d=$(readlink -f "$d")
    # every process whose root is this directory (a server a test left behind)
    for p in /proc/[0-9]*; do
        r=$(readlink "$p/root" 2>/dev/null) || continue
        [ "$r" = "$d" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    sleep 0.2
    for m in dev/shm dev/pts dev proc; do
        mountpoint -q "$d/$m" && umount -l "$d/$m"
    done
    # never follow a mount point out of the root
    if ! grep -q " $d/" /proc/mounts; then
        rm -rf --one-file-system "$d"
    else
        echo "root_destroy: $d still has mounts, not removed" >&2
        return 1
    fi
}
