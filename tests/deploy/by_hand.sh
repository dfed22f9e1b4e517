#!/usr/bin/env bash
# The steps `venice apply --target stack` takes for tests/deploy/stack-cdc, done by hand one
# after another (Kafka's own topic tool, curl), timed, for comparison with venice. Needs the
# stack of scripts/stack.sh up. Uses fresh names (suffix h<pid>) and removes what it made.
set -euo pipefail
ID=h$$
TOPIC_CDC=$ID.public.c$ID
TOPIC_VISITS=$ID.visits
SR=http://127.0.0.1:8081/apis/ccompat/v7
CONNECT=http://127.0.0.1:8083
KSQL=http://127.0.0.1:8088
KAFKA_LIBS=${VENICE_STACK_HOME:-$HOME/.cache/venice-stack}/dist/kafka/libs
export PGPASSWORD=venice
P="psql -h 127.0.0.1 -U venice -d venice -qAtX"
JSON='Content-Type: application/json'
now() { date +%s.%N; }
step() { printf '%-44s %6.2f s\n' "$1" "$(echo "$(now) - $2" | bc)"; }

$P -c "CREATE TABLE public.c$ID (id int PRIMARY KEY, name text NOT NULL, email text);
       INSERT INTO public.c$ID VALUES (1,'Ada','ada@example.com'),(2,'Grace',NULL);"

avro() {
  local side
  for side in key value; do
    printf '"%s.converter":"io.apicurio.registry.utils.converter.AvroConverter",' $side
    printf '"%s.converter.apicurio.registry.url":"http://127.0.0.1:8081/apis/registry/v3",' $side
    printf '"%s.converter.apicurio.registry.auto-register":"true",' $side
    printf '"%s.converter.apicurio.registry.find-latest":"true",' $side
  done
}
running() {
  until curl -fs "$CONNECT/connectors/$1/status" | grep -q '"tasks":\[{"id":0,"state":"RUNNING"'; do sleep 0.1; done
}

ALL=$(now)
T=$(now)
for spec in "$TOPIC_CDC 1 retention.ms=-1" "$TOPIC_VISITS 3 retention.ms=604800000"; do
  set -- $spec
  java -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 \
    --create --topic "$1" --partitions "$2" --replication-factor 1 --config cleanup.policy=delete \
    --config "$3" >/dev/null 2>&1
done
step "2 topics (kafka-topics, one JVM each)" "$T"

T=$(now)
curl -fs -X POST -H "$JSON" "$SR/subjects/$TOPIC_VISITS-value/versions" \
  -d '{"schemaType":"AVRO","schema":"{\"type\":\"record\",\"name\":\"Visit\",\"namespace\":\"app\",\"fields\":[{\"name\":\"customer\",\"type\":\"int\"},{\"name\":\"page\",\"type\":\"string\"}]}"}' >/dev/null
step "1 schema" "$T"

T=$(now)
curl -fs -X PUT -H "$JSON" "$CONNECT/connectors/c$ID-cdc/config" -d "{$(avro)
 \"connector.class\":\"io.debezium.connector.postgresql.PostgresConnector\",\"name\":\"c$ID-cdc\",
 \"database.hostname\":\"127.0.0.1\",\"database.port\":\"5432\",\"database.user\":\"venice\",
 \"database.password\":\"\${env:VENICE_STACK_PG_PASSWORD}\",\"database.dbname\":\"venice\",
 \"topic.prefix\":\"$ID\",\"table.include.list\":\"public.c$ID\",\"plugin.name\":\"pgoutput\",
 \"slot.name\":\"c${ID}_cdc\",\"publication.name\":\"c${ID}_cdc\",\"publication.autocreate.mode\":\"filtered\",\"tasks.max\":\"1\"}" >/dev/null
running "c$ID-cdc"
step "source connector, until it runs" "$T"

T=$(now)
until curl -fs "$SR/subjects/$TOPIC_CDC-value/versions/latest" >/dev/null; do sleep 0.1; done
curl -fs -X POST -H "$JSON" "$KSQL/ksql" -d "{\"ksql\":\"CREATE STREAM IF NOT EXISTS C$ID (ID STRUCT<ID INTEGER> KEY) WITH (KAFKA_TOPIC='$TOPIC_CDC', KEY_FORMAT='AVRO', VALUE_FORMAT='AVRO'); CREATE STREAM IF NOT EXISTS VISITS_$ID WITH (KAFKA_TOPIC='$TOPIC_VISITS', KEY_FORMAT='KAFKA', VALUE_FORMAT='AVRO');\",\"streamsProperties\":{}}" >/dev/null
step "2 ksqlDB streams (after the subjects)" "$T"

T=$(now)
curl -fs -X PUT -H "$JSON" "$CONNECT/connectors/c$ID-copy/config" -d "{$(avro)
 \"connector.class\":\"io.debezium.connector.jdbc.JdbcSinkConnector\",\"name\":\"c$ID-copy\",\"topics\":\"$TOPIC_CDC\",
 \"connection.url\":\"jdbc:postgresql://127.0.0.1:5432/venice\",\"connection.username\":\"venice\",
 \"connection.password\":\"\${env:VENICE_STACK_PG_PASSWORD}\",\"insert.mode\":\"upsert\",
 \"primary.key.mode\":\"record_key\",\"delete.enabled\":\"true\",\"schema.evolution\":\"basic\",
 \"collection.name.format\":\"c${ID}_copy\",\"tasks.max\":\"1\"}" >/dev/null
running "c$ID-copy"
step "sink connector, until it runs" "$T"
step "all, by hand" "$ALL"

# Clean up.
for c in "c$ID-copy" "c$ID-cdc"; do curl -fs -X DELETE "$CONNECT/connectors/$c" >/dev/null; done
for s in "$TOPIC_VISITS-value" "$TOPIC_CDC-key" "$TOPIC_CDC-value"; do
  curl -s -X DELETE "$SR/subjects/$s" >/dev/null; curl -s -X DELETE "$SR/subjects/$s?permanent=true" >/dev/null
done
curl -fs -X POST -H "$JSON" "$KSQL/ksql" -d "{\"ksql\":\"DROP STREAM C$ID; DROP STREAM VISITS_$ID;\"}" >/dev/null
for t in "$TOPIC_CDC" "$TOPIC_VISITS"; do
  java -cp "$KAFKA_LIBS/*" org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --delete --topic "$t" >/dev/null 2>&1
done
for i in $(seq 1 50); do
  $P -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name='c${ID}_cdc' AND NOT active" >/dev/null
  [ "$($P -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name='c${ID}_cdc'")" = 0 ] && break
  sleep 0.2
done
$P -c "DROP TABLE public.c$ID; DROP TABLE IF EXISTS c${ID}_copy; DROP PUBLICATION IF EXISTS c${ID}_cdc;"
