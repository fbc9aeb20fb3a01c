#!/usr/bin/env bash
# Sieve launcher: builds the runnable jar when it is missing (or older than the sources), then runs it.
#   ./sieve demo            the whole pipeline on an embedded Kafka broker
#   ./sieve run --help      the service against a real cluster
# SIEVE_JAVA_OPTS adds JVM options (default: a modest heap).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/streams-app/target/sieve.jar"

stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$here/pom.xml" "$here/schemas/src" "$here/schemas/pom.xml" "$here/streams-app/src" \
      "$here/streams-app/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]
}

if stale; then
  echo "sieve: building $jar (first run takes a few minutes) ..." >&2
  (cd "$here" && mvn -B -q -ntp -pl streams-app -am package -DskipTests) >&2
fi

exec java ${SIEVE_JAVA_OPTS:--Xms256m -Xmx2g} -jar "$jar" "$@"
