#!/usr/bin/env bash
# The real-services stack for Venice's live tests, on loopback:
#
#   PostgreSQL (Debian)       127.0.0.1:5432  user/password/database venice (wal_level=logical)
#   Kafka 4.3 (KRaft)         127.0.0.1:9092  PLAINTEXT (controller 9093), one broker, combined mode
#                             127.0.0.1:9094  SASL_SSL: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
#                             127.0.0.1:9095  SSL with client certificates (mTLS)
#                             127.0.0.1:9096  SASL_SSL: OAUTHBEARER (JWTs checked against a JWKS)
#                             users venice (super user), alice, bob; StandardAuthorizer
#   Apicurio Registry 3.3     http://127.0.0.1:8081, https://127.0.0.1:8444  Confluent API at
#                             /apis/ccompat/v7 (health and metrics on 127.0.0.1:9000)
#   Kafka Connect 4.3         http://127.0.0.1:8083, https://127.0.0.1:8443  distributed; Debezium
#                             PostgreSQL source, Debezium JDBC sink, FileStream, Apicurio
#                             converters, env: provider
#   fake ksqlDB REST server   http://127.0.0.1:8088, https://127.0.0.1:8089
#                             (scripts/stack/ksqldb_fake.py; ksqlDB itself is published nowhere
#                             this machine reaches)
#   The TLS certificates and keys (scripts/stack/certs.sh) are in run/certs/: ca.pem verifies
#   every server; client.pem/client.key log in as venice on 9095.
#
# Usage: scripts/stack.sh up|down|status|logs [SERVICE...]
#        scripts/stack.sh reset        (down, then forget all state: data, topics, schemas)
#   SERVICE is one of: postgres kafka registry connect ksqldb (default: all, in that order;
#   `down` stops them in reverse order). `up` assembles what is missing first (Maven Central and
#   Debian), then starts what is not running and waits until each service answers. Running `up`
#   again is harmless. `status` exits 0 only when every named service is up.
#
# Everything lives under ${VENICE_STACK_HOME:-$HOME/.cache/venice-stack}:
#   m2/    the Maven local repository (the downloads; keep it between runs)
#   dist/  the assembled services (rebuilt when a version below or a pom changes)
#   run/   data, logs (run/logs/SERVICE.log) and pid files; `reset` deletes it (as root,
#          PostgreSQL's data is in /var/lib/postgresql/venice-stack: the postgres user runs it)
# VENICE_STACK_WAIT=SECONDS overrides every service's readiness timeout.
# docs/real-services.md explains each step and records what was measured.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STACK_FILES=$SCRIPT_DIR/stack
STACK_HOME=${VENICE_STACK_HOME:-${HOME:-/root}/.cache/venice-stack}
M2=$STACK_HOME/m2
DIST=$STACK_HOME/dist
RUN=$STACK_HOME/run
LOGS=$RUN/logs
PIDS=$RUN/pids

# Versions: KAFKA_VERSION, DEBEZIUM_POSTGRES_VERSION, DEBEZIUM_JDBC_VERSION, APICURIO_VERSION and
# APICURIO_CONVERTER_VERSION (the newest 3.x Connect converter jar on Maven Central; its pom's
# parent is not served, so the jar is fetched alone and its dependencies come from
# scripts/stack/converter/pom.xml) come from the table venice's builds read too. The Kafka
# version is also in scripts/stack/kafka/pom.xml (tests/build.rs checks they agree).
# shellcheck source=../versions.env
. "$SCRIPT_DIR/../versions.env"
# Apicurio modules taken at $APICURIO_CONVERTER_VERSION for the converter plugin.
APICURIO_CONVERTER_MODULES="utils-converter avro-serde-kafka jsonschema-serde-kafka serde-kafka-common
serde-common serde-common-avro serde-common-jsonschema schema-resolver common"
DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
# Bump when the assembly steps change, so that an older dist/ is rebuilt.
ASSEMBLY_REVISION=2

PG_PORT=5432
KAFKA_PORT=9092
CONTROLLER_PORT=9093
KAFKA_SASL_PORT=9094
KAFKA_MTLS_PORT=9095
KAFKA_OAUTH_PORT=9096
REGISTRY_PORT=8081
REGISTRY_MANAGEMENT_PORT=9000
CONNECT_PORT=8083
CONNECT_HTTPS_PORT=8443
KSQLDB_PORT=8088
KSQLDB_HTTPS_PORT=8089
REGISTRY_HTTPS_PORT=8444
PG_USER=venice
PG_PASSWORD=venice
PG_DATABASE=venice
# The Kafka users of the secure listeners (SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN): venice is a
# super user (venice's own commands log in as it); alice and bob have only what ACLs give them.
KAFKA_USERS="venice:venice-secret alice:alice-secret bob:bob-secret"
CERTS=$RUN/certs

ALL_SERVICES=(postgres kafka registry connect ksqldb)

log() { printf 'stack: %s\n' "$*" >&2; }
die() {
    printf 'stack: error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Tools

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo "$@"
    else
        return 1
    fi
}

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "cannot install $*: no apt-get here; install it by hand"
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null ||
            die "apt-get update failed (root or passwordless sudo is needed to install $*)"
        APT_UPDATED=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
        die "apt-get install $* failed"
}

need_tools() {
    local missing=()
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    command -v mvn >/dev/null 2>&1 || missing+=(maven)
    if ! command -v java >/dev/null 2>&1; then
        missing+=(openjdk-17-jre-headless)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        apt_install "${missing[@]}"
    fi
    local major
    major=$(java_major java)
    [ "${major:-0}" -ge 17 ] || die "Java 17 or newer is needed (found ${major:-none}); set JAVA_HOME/PATH"
}

java_major() {
    "$1" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
}

# Apicurio Registry 3.3 is built for Java 21 (class file version 65); Kafka and Connect run on 17.
# Debian 12 has no Java 21 package; this kind of machine has a Temurin JDK in /usr/lib/jvm.
REGISTRY_JAVA=""
find_registry_java() {
    local candidate best="" best_major=0 major
    for candidate in ${VENICE_STACK_REGISTRY_JAVA:-} "$(command -v java)" /usr/lib/jvm/*/bin/java; do
        [ -x "$candidate" ] || continue
        major=$(java_major "$candidate")
        if [ "${major:-0}" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
            best=$candidate
            best_major=$major
        fi
    done
    [ -n "$best" ] || die "Apicurio Registry $APICURIO_VERSION needs Java 21 or newer, and none was found \
(looked at java on PATH and /usr/lib/jvm/*/bin/java); set VENICE_STACK_REGISTRY_JAVA=/path/to/bin/java"
    REGISTRY_JAVA=$best
}

# The PostgreSQL server binaries: Debian puts them in /usr/lib/postgresql/VERSION/bin.
PG_BIN=""
find_pg_bin() {
    PG_BIN=""
    local dir
    # The newest version wins (glob order is lexical: 9 < 10 < 15 numerically, so compare).
    local best=0 version
    for dir in /usr/lib/postgresql/*/bin; do
        version=${dir#/usr/lib/postgresql/}
        version=${version%%/*}
        [[ $version =~ ^[0-9]+$ ]] || continue
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ "$version" -gt "$best" ]; then
            PG_BIN=$dir
            best=$version
        fi
    done
    [ -n "$PG_BIN" ]
}

need_postgres() {
    if ! find_pg_bin; then
        apt_install postgresql postgresql-contrib
        find_pg_bin || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
        # Debian's package creates a "main" cluster on 5432 and starts it where services may
        # start; this stack runs its own cluster there, so stop the one the install just began.
        if command -v pg_lsclusters >/dev/null 2>&1; then
            pg_lsclusters --no-header 2>/dev/null | while read -r version cluster port state _; do
                if [ "$port" = "$PG_PORT" ] && [ "$state" = online ]; then
                    log "stopping the Debian cluster $version/$cluster that the install started on $port"
                    as_root pg_ctlcluster "$version" "$cluster" stop || true
                fi
            done
        fi
    fi
    command -v psql >/dev/null 2>&1 || apt_install postgresql-client
}

# ---------------------------------------------------------------------------------------------
# Assembly (Maven Central)

# Quiet Maven: only errors, without the colour codes that Maven 3.8 prints even in batch mode.
# It runs in a scratch folder: unpack writes "already unpacked" markers under the current folder.
mvn_q() {
    mkdir -p "$STACK_HOME/mvn-scratch"
    (cd "$STACK_HOME/mvn-scratch" &&
        mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$M2" \
            -DmarkersDirectory="$STACK_HOME/mvn-scratch/markers" "$@") 2>&1 |
        sed 's/\x1b\[[0-9;]*m//g' >&2
}

assembly_key() {
    {
        echo "$KAFKA_VERSION $DEBEZIUM_POSTGRES_VERSION $DEBEZIUM_JDBC_VERSION"
        echo "$APICURIO_VERSION $APICURIO_CONVERTER_VERSION $DEPENDENCY_PLUGIN $ASSEMBLY_REVISION"
        echo "$APICURIO_CONVERTER_MODULES"
        cat "$STACK_FILES/kafka/pom.xml" "$STACK_FILES/converter/pom.xml"
    } | sha256sum | cut -d' ' -f1
}

assemble() {
    local key
    key=$(assembly_key)
    if [ -f "$DIST/.assembled" ] && [ "$(cat "$DIST/.assembled")" = "$key" ]; then
        return 0
    fi
    need_tools
    local started=$SECONDS
    log "assembling the services into $DIST (downloads cached in $M2)"
    mkdir -p "$M2" "$STACK_HOME"
    local tmp=$STACK_HOME/dist.tmp
    rm -rf "$tmp" "$STACK_HOME/mvn-scratch"
    mkdir -p "$tmp/kafka/libs" "$tmp/plugins" "$tmp/apicurio"

    log "Kafka $KAFKA_VERSION broker, tools and Connect runtime"
    mvn_q -f "$STACK_FILES/kafka/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="$tmp/kafka/libs" ||
        die "could not fetch Kafka $KAFKA_VERSION from Maven Central (see the Maven output above)"

    log "Debezium PostgreSQL source $DEBEZIUM_POSTGRES_VERSION and JDBC sink $DEBEZIUM_JDBC_VERSION"
    mvn_q "$DEPENDENCY_PLUGIN:unpack" -DoutputDirectory="$tmp/plugins" \
        -Dartifact="io.debezium:debezium-connector-postgres:$DEBEZIUM_POSTGRES_VERSION:tar.gz:plugin" ||
        die "could not fetch the Debezium PostgreSQL connector plugin"
    mvn_q "$DEPENDENCY_PLUGIN:unpack" -DoutputDirectory="$tmp/plugins" \
        -Dartifact="io.debezium:debezium-connector-jdbc:$DEBEZIUM_JDBC_VERSION:tar.gz:plugin" ||
        die "could not fetch the Debezium JDBC sink plugin"

    log "Kafka's FileStream connectors"
    mvn_q "$DEPENDENCY_PLUGIN:copy" -DoutputDirectory="$tmp/plugins/kafka-connect-file" \
        -Dartifact="org.apache.kafka:connect-file:$KAFKA_VERSION" ||
        die "could not fetch org.apache.kafka:connect-file:$KAFKA_VERSION"

    log "Apicurio converters $APICURIO_CONVERTER_VERSION"
    # The third-party libraries and Apicurio's REST client come from a resolvable 3.1.7 tree
    # (scripts/stack/converter/pom.xml); the converter and the serde modules it was built with
    # are then swapped in at $APICURIO_CONVERTER_VERSION, each jar fetched alone (their parent
    # pom is not served, so Maven cannot read their dependencies). The converter does not run
    # with the 3.1.7 serdes (NoSuchMethodError in BaseSerde).
    local plugin=$tmp/plugins/apicurio-converter module
    mvn_q -f "$STACK_FILES/converter/pom.xml" "$DEPENDENCY_PLUGIN:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="$plugin" ||
        die "could not fetch the Apicurio serdes' dependencies"
    for module in $APICURIO_CONVERTER_MODULES; do
        rm -f "$plugin/apicurio-registry-$module-"*.jar
        # maven-dependency-plugin 2.8's get, unlike 3.x's, does not read the artifact's pom.
        mvn_q org.apache.maven.plugins:maven-dependency-plugin:2.8:get -Dtransitive=false \
            -Dartifact="io.apicurio:apicurio-registry-$module:$APICURIO_CONVERTER_VERSION" &&
            cp "$M2/io/apicurio/apicurio-registry-$module/$APICURIO_CONVERTER_VERSION/apicurio-registry-$module-$APICURIO_CONVERTER_VERSION.jar" \
                "$plugin/" ||
            die "could not fetch io.apicurio:apicurio-registry-$module:$APICURIO_CONVERTER_VERSION"
    done

    log "Apicurio Registry $APICURIO_VERSION"
    mvn_q "$DEPENDENCY_PLUGIN:unpack" -DoutputDirectory="$tmp/apicurio" \
        -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" ||
        die "could not fetch Apicurio Registry $APICURIO_VERSION"
    [ -f "$tmp/apicurio/quarkus-run.jar" ] || die "Apicurio Registry archive has no quarkus-run.jar"

    [ -f "$tmp/plugins/debezium-connector-postgres/debezium-connector-postgres-$DEBEZIUM_POSTGRES_VERSION.jar" ] &&
        [ -f "$tmp/plugins/debezium-connector-jdbc/debezium-connector-jdbc-$DEBEZIUM_JDBC_VERSION.jar" ] ||
        die "the Debezium plugin archives did not unpack into $tmp/plugins"
    rm -rf "$STACK_HOME/mvn-scratch"
    echo "$key" >"$tmp/.assembled"
    rm -rf "$DIST"
    mv "$tmp" "$DIST"
    log "assembled in $((SECONDS - started)) s ($(du -sh "$DIST" | cut -f1) in dist, $(du -sh "$M2" | cut -f1) in m2)"
}

# ---------------------------------------------------------------------------------------------
# Processes

pid_of() {
    local file=$PIDS/$1.pid pid
    [ -f "$file" ] || return 1
    pid=$(cat "$file")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

# True when something listens on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_ok() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null; }

# Starts a background process in its own session, records its pid.
spawn() {
    local name=$1
    shift
    mkdir -p "$LOGS" "$PIDS"
    : >"$LOGS/$name.log"
    setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! >"$PIDS/$name.pid"
    STARTED="$STARTED$name "
}

# wait_ready NAME WHERE TIMEOUT CHECK...: polls CHECK until it succeeds, the process dies, or
# TIMEOUT seconds pass; the error names the service, where it was expected and its log.
wait_ready() {
    local name=$1 where=$2 timeout=${VENICE_STACK_WAIT:-$3}
    shift 3
    local start=$SECONDS
    while :; do
        if "$@"; then
            log "$name is ready at $where ($((SECONDS - start)) s)"
            return 0
        fi
        if [ "$name" != postgres ] && ! pid_of "$name" >/dev/null; then
            tail -n 30 "$LOGS/$name.log" >&2 2>/dev/null || true
            die "$name exited before it answered at $where; its log is $LOGS/$name.log"
        fi
        if [ $((SECONDS - start)) -ge "$timeout" ]; then
            tail -n 30 "$LOGS/$name.log" >&2 2>/dev/null || true
            die "$name did not answer at $where within $timeout s; its log is $LOGS/$name.log"
        fi
        sleep 0.5
    done
}

# Services this run started (their second call, in the wait phase, finds them running).
STARTED=" "
already_up() {
    case $STARTED in
    *" $1 "*) log "$1 is ready at $2" ;;
    *) log "$1 is already running at $2" ;;
    esac
}

check_port_free() {
    local name=$1 port=$2
    if port_open "$port"; then
        die "cannot start $name: 127.0.0.1:$port is taken by another process (not started by this script)"
    fi
}

stop_pid() {
    local name=$1 pid
    pid=$(pid_of "$name") || {
        rm -f "$PIDS/$name.pid"
        return 0
    }
    log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop within 30 s; killing it"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDS/$name.pid"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

# The server refuses to run as root: as root, it runs as the `postgres` user (made by the Debian
# package) with its data under that user's home, which it can reach (it cannot reach /root).
pg_data_dir() {
    if [ "$(id -u)" -eq 0 ]; then
        echo "${VENICE_STACK_PGDATA:-/var/lib/postgresql/venice-stack}"
    else
        echo "${VENICE_STACK_PGDATA:-$RUN/postgres}"
    fi
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_ready() { PGCONNECT_TIMEOUT=2 "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }

pg_running() {
    find_pg_bin || return 1
    local data
    data=$(pg_data_dir)
    as_pg test -f "$data/postmaster.pid" 2>/dev/null && as_pg "$PG_BIN/pg_ctl" status -D "$data" >/dev/null 2>&1
}

up_postgres() {
    need_postgres
    local data
    data=$(pg_data_dir)
    mkdir -p "$LOGS"
    if pg_running; then
        pg_ready && {
            log "postgres is already running at 127.0.0.1:$PG_PORT"
            seed_demo_table "$(pg_psql)" "$data"
            return 0
        }
    else
        check_port_free postgres "$PG_PORT"
        if ! as_pg test -f "$data/PG_VERSION" 2>/dev/null; then
            log "initdb $data"
            if [ "$(id -u)" -eq 0 ]; then
                install -d -o postgres -g postgres -m 700 "$data"
            else
                mkdir -p "$data" && chmod 700 "$data"
            fi
            as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
                -E UTF8 --locale=C.UTF-8 >"$LOGS/postgres-initdb.log" 2>&1 ||
                as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
                    -E UTF8 --locale=C >"$LOGS/postgres-initdb.log" 2>&1 ||
                die "initdb failed; see $LOGS/postgres-initdb.log"
            # Debezium needs logical decoding; the socket sits in the data folder so that this
            # server never collides with a system cluster's socket.
            as_pg tee -a "$data/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$data'
wal_level = logical
max_wal_senders = 10
max_replication_slots = 10
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
            as_pg tee -a "$data/pg_hba.conf" >/dev/null <<EOF
host replication all 127.0.0.1/32 scram-sha-256
EOF
        fi
        log "starting postgres"
        # The server writes its log in its data folder (the postgres user may not reach $LOGS).
        ln -sfn "$data/server.log" "$LOGS/postgres.log"
        as_pg "$PG_BIN/pg_ctl" start -D "$data" -l "$data/server.log" -w -t 60 >/dev/null ||
            {
                tail -n 20 "$LOGS/postgres.log" >&2 || true
                die "postgres did not start; its log is $LOGS/postgres.log"
            }
    fi
    wait_ready postgres "127.0.0.1:$PG_PORT" 30 pg_ready
    # The test role and database (idempotent). A superuser with REPLICATION: Debezium's default
    # publication mode creates a publication FOR ALL TABLES, which needs superuser.
    local psql
    psql=$(pg_psql)
    as_pg "$psql" -h "$data" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt \
        >/dev/null <<EOF || die "could not create the $PG_USER role and database"
SELECT 'CREATE ROLE $PG_USER LOGIN SUPERUSER REPLICATION PASSWORD ''$PG_PASSWORD'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER') \gexec
SELECT 'CREATE DATABASE $PG_DATABASE OWNER $PG_USER'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE') \gexec
EOF
    seed_demo_table "$psql" "$data"
}

pg_psql() {
    if [ -x "$PG_BIN/psql" ]; then echo "$PG_BIN/psql"; else echo psql; fi
}

# The demo application's table that tests/deploy/stack-cdc captures (Debezium's filtered
# publication names it, so it must exist before the source starts), with two rows, the way
# Debezium's tutorial database ships its inventory tables. Created only when missing: rows a
# user changed are never touched.
seed_demo_table() {
    local psql=$1 data=$2
    as_pg "$psql" -h "$data" -p "$PG_PORT" -U postgres -d "$PG_DATABASE" -v ON_ERROR_STOP=1 -qAt \
        >/dev/null <<EOF || die "could not create the demo table public.customers"
SELECT 'CREATE TABLE public.customers (id integer PRIMARY KEY, name text NOT NULL, email text)'
WHERE to_regclass('public.customers') IS NULL \gexec
ALTER TABLE public.customers OWNER TO $PG_USER;
INSERT INTO public.customers SELECT * FROM (VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL)) AS v
WHERE NOT EXISTS (SELECT 1 FROM public.customers);
EOF
}

down_postgres() {
    find_pg_bin || return 0
    local data
    data=$(pg_data_dir)
    if pg_running; then
        log "stopping postgres"
        as_pg "$PG_BIN/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null || true
    fi
}

status_postgres() {
    if pg_running && pg_ready; then
        echo "postgres  up    127.0.0.1:$PG_PORT  user=$PG_USER password=$PG_PASSWORD dbname=$PG_DATABASE"
    elif pg_running; then
        echo "postgres  starting  127.0.0.1:$PG_PORT (not answering yet)"
        return 1
    else
        echo "postgres  down"
        return 1
    fi
}

# ---------------------------------------------------------------------------------------------
# Kafka (KRaft, one broker that is also the controller)

java_opts_log() { echo "-Dlog4j2.configurationFile=$RUN/conf/log4j2.properties"; }

write_log4j() {
    mkdir -p "$RUN/conf"
    cat >"$RUN/conf/log4j2.properties" <<'EOF'
# Console only (the script sends it to run/logs/SERVICE.log); a properties file needs no YAML jar.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.kafkaapache.name = org.apache.kafka
logger.kafkaapache.level = WARN
logger.kafkaserver.name = kafka.server.KafkaRaftServer
logger.kafkaserver.level = INFO
logger.connect.name = org.apache.kafka.connect
logger.connect.level = INFO
logger.rest.name = org.apache.kafka.connect.runtime.rest.RestServer
logger.rest.level = WARN
logger.reflections.name = org.reflections
logger.reflections.level = ERROR
EOF
}

kafka_ready() { port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$LOGS/kafka.log" 2>/dev/null; }

up_kafka() {
    if pid_of kafka >/dev/null; then
        if kafka_ready; then
            already_up kafka "127.0.0.1:$KAFKA_PORT"
            add_missing_users "$RUN/kafka"
            return 0
        fi
    else
        check_port_free kafka "$KAFKA_PORT"
        check_port_free kafka "$CONTROLLER_PORT"
        write_log4j
        local data=$RUN/kafka
        write_kafka_properties "$data"
        if [ ! -f "$data/meta.properties" ]; then
            local id
            id=$(java -cp "$DIST/kafka/libs/*" "$(java_opts_log)" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
            [ -n "$id" ] || die "kafka: StorageTool random-uuid printed nothing"
            log "formatting the Kafka log directory (cluster id $id)"
            local scram=() entry mechanism
            for entry in $KAFKA_USERS; do
                for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
                    scram+=(--add-scram "$mechanism=[name=${entry%%:*},password=${entry#*:}]")
                done
            done
            java -cp "$DIST/kafka/libs/*" "$(java_opts_log)" kafka.tools.StorageTool format \
                -t "$id" -c "$RUN/conf/server.properties" "${scram[@]}" >"$LOGS/kafka-format.log" 2>&1 ||
                die "kafka: formatting $data failed; see $LOGS/kafka-format.log"
            touch "$data/.venice-users"
        fi
        log "starting kafka"
        # The broker reads the JWKS from a file; Kafka 4 fetches only the OAuth URLs listed here.
        spawn kafka java -Xms256m -Xmx1g -XX:+UseG1GC "$(java_opts_log)" \
            -Dorg.apache.kafka.sasl.oauthbearer.allowed.urls="file://$CERTS/jwks.json" \
            -cp "$DIST/kafka/libs/*" kafka.Kafka "$RUN/conf/server.properties"
    fi
    [ "${1:-}" = start ] && return 0
    wait_ready kafka "127.0.0.1:$KAFKA_PORT" 60 kafka_ready
    add_missing_users "$RUN/kafka"
}

# A log directory formatted before the secure listeners existed has no SCRAM users: they are
# added once through the admin API (AlterUserScramCredentials) on the plaintext listener.
add_missing_users() {
    local data=$1 entry mechanism
    [ -f "$data/.venice-users" ] && return 0
    log "adding the SCRAM users to a log directory formatted without them"
    for entry in $KAFKA_USERS; do
        # One mechanism per request: the broker refuses to alter a user twice in one.
        for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
            java -cp "$DIST/kafka/libs/*" "$(java_opts_log)" kafka.admin.ConfigCommand \
                --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter --entity-type users \
                --entity-name "${entry%%:*}" --add-config "$mechanism=[password=${entry#*:}]" \
                >>"$LOGS/kafka-format.log" 2>&1 ||
                die "kafka: could not add the SCRAM user ${entry%%:*}; see $LOGS/kafka-format.log"
        done
    done
    touch "$data/.venice-users"
}

# JAAS for PLAIN on the SASL_SSL listener: the same users and passwords as SCRAM.
plain_jaas() {
    local entry users=""
    for entry in $KAFKA_USERS; do
        users="$users user_${entry%%:*}=\"${entry#*:}\""
    done
    echo "org.apache.kafka.common.security.plain.PlainLoginModule required$users;"
}

write_kafka_properties() {
    local data=$1
    cat >"$RUN/conf/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_PORT,SSL://127.0.0.1:$KAFKA_MTLS_PORT,OAUTH://127.0.0.1:$KAFKA_OAUTH_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_PORT,SSL://127.0.0.1:$KAFKA_MTLS_PORT,OAUTH://127.0.0.1:$KAFKA_OAUTH_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,OAUTH:SASL_SSL
log.dirs=$data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Authorization: the plaintext listener and the controller are anonymous and keep every right
# (the tests that predate the secure listeners use them); on the secure listeners venice is the
# admin and everyone else has what ACLs give them.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:venice
# SASL sessions end after 10 s, so that clients must re-authenticate (KIP-368) within a test.
connections.max.reauth.ms=10000
# SASL_SSL: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 over TLS (server certificate only).
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=$(plain_jaas)
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$CERTS/server-keystore.pem
# SSL: mutual TLS; the certificate's CN is the principal (CN=venice is User:venice).
listener.name.ssl.ssl.keystore.type=PEM
listener.name.ssl.ssl.keystore.location=$CERTS/server-keystore.pem
listener.name.ssl.ssl.truststore.type=PEM
listener.name.ssl.ssl.truststore.location=$CERTS/ca.pem
listener.name.ssl.ssl.client.auth=required
listener.name.ssl.ssl.principal.mapping.rules=RULE:^CN=([^,]+)\$/\$1/,RULE:^CN=([^,]+),.*\$/\$1/,DEFAULT
# OAUTH: SASL_SSL with OAUTHBEARER; tokens are JWTs signed with oauth.key (RS256), checked
# against its JWKS; the principal is the token's sub.
listener.name.oauth.sasl.enabled.mechanisms=OAUTHBEARER
listener.name.oauth.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;
listener.name.oauth.oauthbearer.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler
listener.name.oauth.ssl.keystore.type=PEM
listener.name.oauth.ssl.keystore.location=$CERTS/server-keystore.pem
sasl.oauthbearer.jwks.endpoint.url=file://$CERTS/jwks.json
sasl.oauthbearer.expected.audience=kafka
sasl.oauthbearer.expected.issuer=venice-stack
EOF
}

# ---------------------------------------------------------------------------------------------
# Apicurio Registry

REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT
registry_ready() { http_ok "$REGISTRY_URL/apis/ccompat/v7/subjects"; }

up_registry() {
    if pid_of registry >/dev/null; then
        if registry_ready; then
            already_up registry "$REGISTRY_URL"
            return 0
        fi
    else
        check_port_free registry "$REGISTRY_PORT"
        check_port_free registry "$REGISTRY_MANAGEMENT_PORT"
        find_registry_java
        log "starting registry (on $REGISTRY_JAVA)"
        # BACKWARD as the global rule makes GET /config answer like Confluent's default.
        # Quarkus's management interface (/health, /metrics) listens on 0.0.0.0:9000 by default
        # (and cannot be turned off at run time): kept on loopback. Storage: the default SQL storage on H2, in a file under run/ instead of in memory, so
        # that schemas (and their ids, which Kafka records carry) survive `down` and `up`.
        mkdir -p "$RUN/registry"
        spawn registry "$REGISTRY_JAVA" -Xms128m -Xmx512m \
            -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
            -Dquarkus.http.ssl-port="$REGISTRY_HTTPS_PORT" \
            -Dquarkus.http.ssl.certificate.files="$CERTS/server.pem" \
            -Dquarkus.http.ssl.certificate.key-files="$CERTS/server.key" \
            -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
            -Dapicurio.datasource.url="jdbc:h2:file:$RUN/registry/registry" \
            -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
            -Dapicurio.rules.global.compatibility=BACKWARD \
            -Dquarkus.log.level=INFO \
            -jar "$DIST/apicurio/quarkus-run.jar"
    fi
    [ "${1:-}" = start ] && return 0
    wait_ready registry "$REGISTRY_URL/apis/ccompat/v7/subjects" 120 registry_ready
}

# ---------------------------------------------------------------------------------------------
# Kafka Connect (distributed, one worker)

CONNECT_URL=http://127.0.0.1:$CONNECT_PORT
# The REST server answers before the worker has joined its group; /connectors answers 200 only
# once the herder is ready.
connect_ready() { http_ok "$CONNECT_URL/connectors"; }

CONNECT_PLUGINS="io.debezium.connector.postgresql.PostgresConnector
io.debezium.connector.jdbc.JdbcSinkConnector
org.apache.kafka.connect.file.FileStreamSourceConnector
org.apache.kafka.connect.file.FileStreamSinkConnector
io.apicurio.registry.utils.converter.AvroConverter"

# Every plugin the tests use must be loaded (converters are listed with connectorsOnly=false).
check_connect_plugins() {
    local listed absent="" class
    listed=$(curl -fsS --max-time 10 "$CONNECT_URL/connector-plugins?connectorsOnly=false") ||
        die "connect: GET $CONNECT_URL/connector-plugins failed"
    for class in $CONNECT_PLUGINS; do
        case $listed in
        *"\"$class\""*) ;;
        *) absent="$absent $class" ;;
        esac
    done
    [ -z "$absent" ] || die "connect is up at $CONNECT_URL but lacks plugins:$absent (see $LOGS/connect.log and $DIST/plugins)"
}

up_connect() {
    if pid_of connect >/dev/null; then
        if connect_ready; then
            already_up connect "$CONNECT_URL"
            return 0
        fi
    else
        check_port_free connect "$CONNECT_PORT"
        port_open "$KAFKA_PORT" || die "cannot start connect: kafka is not answering at 127.0.0.1:$KAFKA_PORT (run: $0 up kafka)"
        write_log4j
        cat >"$RUN/conf/connect.properties" <<EOF
bootstrap.servers=127.0.0.1:$KAFKA_PORT
group.id=venice-connect
listeners=http://127.0.0.1:$CONNECT_PORT,https://127.0.0.1:$CONNECT_HTTPS_PORT
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$CONNECT_PORT
rest.advertised.listener=http
# HTTPS beside HTTP, with the stack's server certificate (Jetty reads PKCS#12, not PEM).
listeners.https.ssl.keystore.type=PKCS12
listeners.https.ssl.keystore.location=$CERTS/server.p12
listeners.https.ssl.keystore.password=venice-stack
listeners.https.ssl.key.password=venice-stack
listeners.https.ssl.client.auth=none
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.topic=venice-connect-offsets
config.storage.topic=venice-connect-configs
status.storage.topic=venice-connect-status
offset.storage.replication.factor=1
config.storage.replication.factor=1
status.storage.replication.factor=1
offset.storage.partitions=1
status.storage.partitions=1
offset.flush.interval.ms=1000
scheduled.rebalance.max.delay.ms=0
plugin.path=$DIST/plugins
# Every plugin here ships ServiceLoader manifests (Connect says so at start); the default
# hybrid_warn scan also reflects over every jar, which takes about 25 s more.
plugin.discovery=service_load
config.providers=env
config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
EOF
        log "starting connect"
        # VENICE_* variables reach the worker, so connector configs can say \${env:VENICE_...}.
        spawn connect env VENICE_STACK_PG_PASSWORD="$PG_PASSWORD" \
            java -Xms256m -Xmx1g -XX:+UseG1GC "$(java_opts_log)" \
            -cp "$DIST/kafka/libs/*" org.apache.kafka.connect.cli.ConnectDistributed "$RUN/conf/connect.properties"
    fi
    [ "${1:-}" = start ] && return 0
    wait_ready connect "$CONNECT_URL" 180 connect_ready
    check_connect_plugins
}

# ---------------------------------------------------------------------------------------------
# The fake ksqlDB server

KSQLDB_URL=http://127.0.0.1:$KSQLDB_PORT
ksqldb_ready() { http_ok "$KSQLDB_URL/info"; }

up_ksqldb() {
    if pid_of ksqldb >/dev/null; then
        if ksqldb_ready; then
            already_up ksqldb "$KSQLDB_URL"
            return 0
        fi
    else
        check_port_free ksqldb "$KSQLDB_PORT"
        log "starting ksqldb (fake REST server)"
        spawn ksqldb python3 "$STACK_FILES/ksqldb_fake.py" --host 127.0.0.1 --port "$KSQLDB_PORT" \
            --https-port "$KSQLDB_HTTPS_PORT" --cert "$CERTS/server.pem" --key "$CERTS/server.key"
    fi
    [ "${1:-}" = start ] && return 0
    wait_ready ksqldb "$KSQLDB_URL/info" 20 ksqldb_ready
}

# ---------------------------------------------------------------------------------------------
# Status

status_java() {
    local name=$1 where=$2 check=$3 pid rss
    if pid=$(pid_of "$name"); then
        rss=$(ps -o rss= -p "$pid" 2>/dev/null | awk '{printf "%d MiB", $1/1024}')
        if "$check"; then
            echo "$name  up    $where  (pid $pid, $rss)"
        else
            echo "$name  starting  $where  (pid $pid, not answering yet)"
            return 1
        fi
    else
        echo "$name  down"
        return 1
    fi
}

status_one() {
    case $1 in
    postgres) status_postgres ;;
    kafka) status_java kafka "127.0.0.1:$KAFKA_PORT (SASL_SSL :$KAFKA_SASL_PORT, mTLS :$KAFKA_MTLS_PORT, OAuth :$KAFKA_OAUTH_PORT)" kafka_ready ;;
    registry) status_java registry "$REGISTRY_URL/apis/ccompat/v7" registry_ready ;;
    connect) status_java connect "$CONNECT_URL" connect_ready ;;
    ksqldb) status_java ksqldb "$KSQLDB_URL" ksqldb_ready ;;
    esac
}

# ---------------------------------------------------------------------------------------------

services_from_args() {
    SERVICES=()
    if [ $# -eq 0 ]; then
        SERVICES=("${ALL_SERVICES[@]}")
        return
    fi
    local want s
    for s in "${ALL_SERVICES[@]}"; do
        for want in "$@"; do
            [ "$want" = "$s" ] && SERVICES+=("$s")
        done
    done
    for want in "$@"; do
        case " ${ALL_SERVICES[*]} " in
        *" $want "*) ;;
        *) die "unknown service '$want' (known: ${ALL_SERVICES[*]})" ;;
        esac
    done
}

usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case $cmd in
    up)
        services_from_args "$@"
        local start=$SECONDS needs_dist=0 s
        for s in "${SERVICES[@]}"; do
            case $s in kafka | registry | connect) needs_dist=1 ;; esac
        done
        if [ "$needs_dist" -eq 1 ]; then
            assemble
        fi
        bash "$STACK_FILES/certs.sh" "$CERTS" || die "could not make the certificates in $CERTS"
        # Start what needs nothing else, then wait: Kafka, the registry and the fake ksqlDB
        # start side by side; Connect starts once Kafka answers.
        for s in "${SERVICES[@]}"; do
            case $s in
            postgres) up_postgres ;;
            kafka | registry | ksqldb) "up_$s" start ;;
            esac
        done
        for s in kafka connect registry ksqldb; do
            case " ${SERVICES[*]} " in *" $s "*) "up_$s" ;; esac
        done
        log "up in $((SECONDS - start)) s"
        ;;
    down)
        services_from_args "$@"
        local i
        for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do
            case ${SERVICES[$i]} in
            postgres) down_postgres ;;
            *) stop_pid "${SERVICES[$i]}" ;;
            esac
        done
        ;;
    status)
        services_from_args "$@"
        local rc=0 s
        for s in "${SERVICES[@]}"; do
            status_one "$s" || rc=1
        done
        return $rc
        ;;
    logs)
        services_from_args "$@"
        local s
        for s in "${SERVICES[@]}"; do
            echo "== $LOGS/$s.log"
            tail -n 40 "$LOGS/$s.log" 2>/dev/null || echo "(no log)"
        done
        ;;
    reset)
        main down
        log "removing $RUN and $(pg_data_dir)"
        rm -rf "$RUN"
        as_pg rm -rf "$(pg_data_dir)" 2>/dev/null || true
        ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
