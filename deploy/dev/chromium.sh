#!/usr/bin/env bash
# Chromium for the browser test (cmd/nongsan/browser_test.go), from Debian's
# `chromium` package, like deploy/dev/services.sh installs PostgreSQL and Redis.
#
#   deploy/dev/chromium.sh up     install it (and an emoji font) when missing and root (apt-get, quiet)
#   deploy/dev/chromium.sh path   print the browser's path, or nothing
#
# Without root and without Chromium, `up` only says how to get it and succeeds:
# the browser test then skips itself with the same advice. CHROMIUM_PATH, when
# set, names the browser to use instead (an existing Chrome, say).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DEV_DIR="$REPO_ROOT/.dev"

log() { printf 'chromium: %s\n' "$*" >&2; }
die() { printf 'chromium: error: %s\n' "$*" >&2; exit 1; }

browser_path() {
	local p
	if [ -n "${CHROMIUM_PATH:-}" ]; then
		command -v "$CHROMIUM_PATH" || die "CHROMIUM_PATH=$CHROMIUM_PATH is not a program"
		return 0
	fi
	for p in chromium chromium-browser google-chrome-stable google-chrome; do
		if command -v "$p" >/dev/null 2>&1; then
			command -v "$p"
			return 0
		fi
	done
}

# have_emoji_font: the bot's messages use emoji as signposts; without a font
# for them the browser draws boxes, and the screenshots would show those.
have_emoji_font() { [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; }

cmd_up() {
	local p pkgs=()
	p="$(browser_path)"
	[ -n "$p" ] || pkgs+=(chromium)
	have_emoji_font || pkgs+=(fonts-noto-color-emoji)
	if [ "${#pkgs[@]}" -eq 0 ]; then
		log "using $p"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		if [ -z "$p" ]; then
			log "no Chromium: the browser test will be skipped. Install Debian's package (sudo apt-get install chromium), run 'make test' as root, or set CHROMIUM_PATH."
		else
			log "using $p (no emoji font: sudo apt-get install fonts-noto-color-emoji, for screenshots as phones show them)"
		fi
		return 0
	fi
	mkdir -p "$DEV_DIR"
	exec 9>"$DEV_DIR/.chromium.lock" # two `make test` at once install once
	flock -w 600 9 || die "another install holds $DEV_DIR/.chromium.lock"
	log "installing ${pkgs[*]} with apt-get (output in $DEV_DIR/apt-chromium.log)"
	local apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	if ! { DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update &&
		DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${pkgs[@]}"; } \
		</dev/null >"$DEV_DIR/apt-chromium.log" 2>&1 9>&-; then
		tail -n 30 "$DEV_DIR/apt-chromium.log" >&2 || true
		# In CI the browser test must run; elsewhere (Ubuntu ships Chromium
		# as a snap, not a .deb) it is skipped with this advice.
		[ -z "${CI:-}" ] || die "apt-get install ${pkgs[*]} failed (full log: $DEV_DIR/apt-chromium.log)"
		log "apt-get install ${pkgs[*]} failed (full log: $DEV_DIR/apt-chromium.log): the browser test will be skipped; set CHROMIUM_PATH to a Chromium or Chrome binary to run it"
		return 0
	fi
	p="$(browser_path)"
	[ -n "$p" ] || die "chromium installed but not on PATH"
	log "installed ${pkgs[*]}: $("$p" --version 2>/dev/null || echo "$p")"
}

case "${1:-}" in
up) cmd_up ;;
path) browser_path; echo ;;
*) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
