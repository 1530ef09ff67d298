#!/bin/sh
# expect.sh CODE REGEX COMMAND [ARG…]: runs COMMAND, shows its output, and succeeds when it
# exits with CODE and its output (stdout and stderr) matches the extended regex REGEX.
code=$1 regex=$2
shift 2
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne "$code" ]; then
  echo "expect.sh: exit code $status, expected $code" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  echo "expect.sh: output does not match: $regex" >&2
  exit 1
fi
