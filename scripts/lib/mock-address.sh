# shellcheck shell=bash
# Where a mock started on --port 0 listens: `sambabench mock` and `sambabench-mock-faults` write their base URL
# (http://127.0.0.1:PORT/v1 and a newline) to the file given with --address-file, atomically, once bound.
# Source this file, start the mock in the background, then wait for its address:
#
#   . scripts/lib/mock-address.sh
#   rm -f "$work/mock.address"
#   "$bin" mock --port 0 --address-file "$work/mock.address" >"$work/mock.log" 2>&1 &
#   mock=$!
#   url=$(mock_address "$work/mock.address" "$mock" "$work/mock.log") || exit 1
#
# mock_address FILE PID [LOG] [SECONDS]: prints the base URL once FILE holds it. Fails (status 1, saying why on
# standard error with the end of LOG) as soon as process PID ends without writing it, or after SECONDS (default
# $MOCK_ADDRESS_TIMEOUT, or 30).
mock_address() {
  local file=$1 pid=$2 log=${3:-} seconds=${4:-${MOCK_ADDRESS_TIMEOUT:-30}}
  local deadline=$((SECONDS + seconds)) url why
  while :; do
    if [ -s "$file" ]; then
      url=$(head -n 1 "$file")
      case $url in
        http://*|https://*) printf '%s\n' "$url"; return 0 ;;
        *) why="$file holds '$url', not a URL"; break ;;
      esac
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      why="the mock (pid $pid) exited before writing its address to $file"
      break
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      why="the mock (pid $pid) wrote no address to $file within ${seconds} s"
      break
    fi
    sleep 0.1
  done
  echo "mock_address: $why" >&2
  if [ -n "$log" ] && [ -s "$log" ]; then
    echo "the mock's output (last lines of $log):" >&2
    tail -n 5 "$log" >&2
  fi
  return 1
}
