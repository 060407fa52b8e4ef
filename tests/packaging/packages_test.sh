#!/usr/bin/env bash
# Issue 18's package check, on the existing build (no rebuild): CPack makes
# both .debs into a temp dir; dpkg-deb shows their files, dependencies and
# conffiles; the hub's postinst is run against stub commands to see it makes
# the system user on install and not on upgrade; lintian runs (its output is
# printed; errors fail); the packages are unpacked into a scratch root (this
# machine is not changed) where the installed programs run, check their
# default config and find the installed web root; systemd-analyze verify
# passes on both units. Usage: packages_test.sh BUILD_DIR
set -euo pipefail
build=$1
# Inside the build dir, not /tmp: ctest kills a test that overruns its
# timeout before its trap can run, and the next run clears what that left.
work=$build/packages-test
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has() { grep -qE -- "$2" <<<"$1" || fail "$3"; }

(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
hub_deb=$(ls "$work"/out/telehub_*_amd64.deb)
agent_deb=$(ls "$work"/out/telehub-agent_*_amd64.deb)

# Control fields: names, and dependencies found by dpkg-shlibdeps.
hub_info=$(dpkg-deb --info "$hub_deb")
agent_info=$(dpkg-deb --info "$agent_deb")
has "$hub_info" '^ Package: telehub$' "hub package name"
has "$agent_info" '^ Package: telehub-agent$' "agent package name"
hub_deps=$(dpkg-deb --field "$hub_deb" Depends)
agent_deps=$(dpkg-deb --field "$agent_deb" Depends)
echo "telehub Depends: $hub_deps"
echo "telehub-agent Depends: $agent_deps"
for dep in adduser 'libc6 \(>=' 'libssl3' 'libsystemd0' 'libboost-program-options1\.81\.0' 'libsimdjson' 'libhiredis'; do
  has "$hub_deps" "$dep" "telehub does not depend on $dep"
done
has "$agent_deps" 'libc6 \(>=' "telehub-agent does not depend on libc6"
# The agent links libstdc++, Program_options, OpenSSL and toml++ statically.
for dep in libstdc++ libboost libssl libtomlplusplus libsystemd; do
  ! grep -q "$dep" <<<"$agent_deps" || fail "telehub-agent depends on $dep"
done

# Files.
hub_files=$(dpkg-deb --contents "$hub_deb" | awk '{print $6}')
agent_files=$(dpkg-deb --contents "$agent_deb" | awk '{print $6}')
for f in ./usr/bin/telehub ./usr/share/telehub/web/index.html ./lib/systemd/system/telehub.service \
         ./etc/telehub/hub.toml ./etc/logrotate.d/telehub ./usr/share/man/man1/telehub.1.gz \
         ./usr/share/doc/telehub/copyright; do
  grep -qxF "$f" <<<"$hub_files" || fail "telehub lacks $f"
done
for f in ./usr/bin/telehub-agent ./lib/systemd/system/telehub-agent.service ./etc/telehub/agent.toml \
         ./usr/share/man/man1/telehub-agent.1.gz ./usr/share/doc/telehub-agent/copyright; do
  grep -qxF "$f" <<<"$agent_files" || fail "telehub-agent lacks $f"
done
! grep -q telehub-agent <<<"$hub_files" || fail "the hub package holds agent files"

# Conffiles, and the maintainer scripts.
dpkg-deb --control "$hub_deb" "$work/hub-control"
dpkg-deb --control "$agent_deb" "$work/agent-control"
grep -qxF /etc/telehub/hub.toml "$work/hub-control/conffiles" || fail "hub.toml is not a conffile"
grep -qxF /etc/logrotate.d/telehub "$work/hub-control/conffiles" || fail "the logrotate file is not a conffile"
grep -qxF /etc/telehub/agent.toml "$work/agent-control/conffiles" || fail "agent.toml is not a conffile"
for s in postinst prerm postrm; do
  [[ -x $work/hub-control/$s && -x $work/agent-control/$s ]] || fail "$s missing or not executable"
  sh -n "$work/hub-control/$s" && sh -n "$work/agent-control/$s"
done

# The hub's postinst against stubs that log their arguments: a first install
# makes the user and enables the unit; an upgrade (user present) does neither
# to the user; neither touches the config file.
stubs=$work/stubs
mkdir -p "$stubs"
for cmd in adduser dpkg-statoverride deb-systemd-helper deb-systemd-invoke systemctl getent; do
  cat >"$stubs/$cmd" <<STUB
#!/bin/sh
echo "$cmd \$*" >>"$work/calls"
case "$cmd \$1" in
  "getent passwd") [ -f "$work/user-exists" ] && exit 0; exit 2 ;;
  "dpkg-statoverride --list") exit 1 ;;
esac
exit 0
STUB
  chmod +x "$stubs/$cmd"
done
PATH="$stubs:$PATH" sh "$work/hub-control/postinst" configure
calls=$(cat "$work/calls")
has "$calls" '^adduser --system --group .*telehub$' "postinst did not create the telehub system user"
has "$calls" '^dpkg-statoverride .*--add root telehub 0640 /etc/telehub/hub.toml' "postinst did not restrict hub.toml"
has "$calls" '^deb-systemd-helper enable telehub.service' "postinst did not enable telehub.service"
: >"$work/calls"
touch "$work/user-exists"
PATH="$stubs:$PATH" sh "$work/hub-control/postinst" configure 0.0.9
! grep -q '^adduser' "$work/calls" || fail "postinst ran adduser on upgrade although the user exists"
# The agent's config may hold its token; the hub's purge takes its log folder too.
: >"$work/calls"
PATH="$stubs:$PATH" sh "$work/agent-control/postinst" configure
has "$(cat "$work/calls")" '^dpkg-statoverride .*--add root root 0600 /etc/telehub/agent.toml' "postinst did not restrict agent.toml"
grep -qE '^\s*rm -rf .*/var/log/telehub' "$work/hub-control/postrm" || fail "the hub's purge leaves /var/log/telehub"
# Beyond its permissions, no maintainer script line names the config at all.
for s in postinst prerm postrm; do
  ! grep -vE '^\s*#' "$work/hub-control/$s" | grep -v dpkg-statoverride | grep -q /etc/telehub || fail "hub $s touches /etc/telehub"
  ! grep -vE '^\s*#' "$work/agent-control/$s" | grep -v dpkg-statoverride | grep -q /etc/telehub || fail "agent $s touches /etc/telehub"
done

# lintian, offline.
if command -v lintian >/dev/null; then
  echo "--- lintian"
  # TMPDIR: lintian leaves its mldbm-elf-* scratch files behind; here they go with $work.
  lintian_out=$(TMPDIR=$work lintian --tag-display-limit 0 "$hub_deb" "$agent_deb" 2>&1 | grep -v 'root privileges' || true)
  echo "${lintian_out:-(no tags)}"
  ! grep -q '^E: ' <<<"$lintian_out" || fail "lintian reports errors"
fi

# Unpacked into a scratch root: the programs run from there.
root=$work/root
dpkg-deb -x "$hub_deb" "$root"
dpkg-deb -x "$agent_deb" "$root"
"$root/usr/bin/telehub" --version | grep -q '^telehub [0-9]' || fail "telehub --version"
"$root/usr/bin/telehub-agent" --version | grep -q '^telehub-agent [0-9]' || fail "telehub-agent --version"
check=$(STATE_DIRECTORY=$work/state "$root/usr/bin/telehub" --config "$root/etc/telehub/hub.toml" --check-config)
echo "$check"
has "$check" "web root $root/usr/share/telehub/web," "the installed hub does not find its installed web root"
"$root/usr/bin/telehub-agent" --config "$root/etc/telehub/agent.toml" --check-config || fail "agent.toml does not check"
# A root agent takes no commands from whatever holds a local port until the operator says so.
grep -qx 'no_control = true' "$root/etc/telehub/agent.toml" || fail "the shipped agent.toml takes commands"
zcat "$root/usr/share/man/man1/telehub.1.gz" | grep -q -- 'check\\-config' || fail "the man page lacks --check-config"

# Both units, with their programs where the scratch root has them.
units=$work/units
mkdir -p "$units"
for u in telehub telehub-agent; do
  sed "s|/usr/bin/|$root/usr/bin/|" "$root/lib/systemd/system/$u.service" >"$units/$u.service"
done
MANPATH=$root/usr/share/man systemd-analyze verify "$units/telehub.service" "$units/telehub-agent.service" \
  || fail "systemd-analyze verify"
# The agent runs as root: its sandbox is what limits it. systemd's own score, kept from sliding back.
for u in telehub telehub-agent; do
  exposure=$(systemd-analyze security --offline=true "$units/$u.service" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  echo "$u.service: systemd-analyze security exposure $exposure"
  awk -v e="$exposure" -v max="$([[ $u == telehub ]] && echo 2.5 || echo 5.0)" 'BEGIN { exit !(e != "" && e + 0 <= max + 0) }' \
    || fail "$u.service exposure '$exposure' is above its bound"
done
# systemctl reload runs the ExecReload= lines in turn and stops at the first
# that fails. A `sleep` stands in for the hub: SIGHUP ends it.
cp "$root/etc/telehub/hub.toml" "$work/reload.toml"
mapfile -t reload_lines < <(sed -n 's/^ExecReload=//p' "$units/telehub.service")
reload() {
  local line
  for line in "${reload_lines[@]}"; do
    line=${line//\/etc\/telehub\/hub.toml/$work/reload.toml}
    # shellcheck disable=SC2086 # the unit's words, split as systemd splits these
    STATE_DIRECTORY=$work/state ${line//\$MAINPID/$1} || return 1
  done
}
sleep 600 &
stand_in=$!
trap 'kill $stand_in 2>/dev/null || true; rm -rf "$work"' EXIT
printf 'high_cpu = 500\n' >>"$work/reload.toml"
if reload_out=$(reload "$stand_in" 2>&1); then fail "a reload of a hub.toml with high_cpu = 500 succeeded"; fi
echo "$reload_out"
has "$reload_out" "reload.toml:[0-9]+.*high" "the refused reload does not name the file's line"
kill -0 "$stand_in" 2>/dev/null || fail "a reload of a refused hub.toml still signalled the hub"
cp "$root/etc/telehub/hub.toml" "$work/reload.toml"
reload "$stand_in" >/dev/null || fail "a reload of the shipped hub.toml failed"
wait "$stand_in" && fail "the stand-in hub was not signalled" || [[ $? == 129 ]] || fail "the stand-in hub did not get SIGHUP"

echo "packages OK: $(basename "$hub_deb") $(du -k "$hub_deb" | cut -f1) KiB, $(basename "$agent_deb") $(du -k "$agent_deb" | cut -f1) KiB"
