#!/bin/sh
# full_disk.sh DIR BYTES CMD [ARGS...] - runs CMD with the ENOSPC shim
# (enospc.c): its writes under DIR fail with "no space left" after BYTES.
# Needs RLX_BUILD_DIR (where rlx_enospc.so is built); ctest sets it.
dir=$1 bytes=$2
shift 2
shim="${RLX_BUILD_DIR:?set RLX_BUILD_DIR}/rlx_enospc.so"
[ -f "$shim" ] || { echo "full_disk.sh: no $shim: build the rlx_enospc target" >&2; exit 125; }
# the shim is preloaded ahead of the ASan runtime in the sanitizer build
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
LD_PRELOAD="$shim" RLX_ENOSPC_DIR="$dir" RLX_ENOSPC_AFTER="$bytes" exec "$@"
