# Java for the Spark tests (tests/spark run PySpark in local mode): Spark 4 needs Java 17+.
if ! command -v java >/dev/null 2>&1; then
    ci_apt_install openjdk-17-jre-headless
fi
JAVA_BIN="$(readlink -f "$(command -v java)")"
export JAVA_HOME="${JAVA_HOME:-${JAVA_BIN%/bin/java}}"
