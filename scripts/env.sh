# Sourced by the project's scripts: selects JDK 25 explicitly (the machine default is 17).
if [ -z "${SEDM_JAVA_HOME:-}" ]; then
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
      SEDM_JAVA_HOME="$candidate"
      break
    fi
  done
fi
if [ -z "${SEDM_JAVA_HOME:-}" ]; then
  echo "sedm: JDK 25 not found (looked at \$JAVA_HOME and /usr/lib/jvm/temurin-25-jdk-amd64); set SEDM_JAVA_HOME" >&2
  exit 2
fi
export JAVA_HOME="$SEDM_JAVA_HOME"
export PATH="$JAVA_HOME/bin:$PATH"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
