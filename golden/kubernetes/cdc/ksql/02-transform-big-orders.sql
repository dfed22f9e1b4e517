-- From `transform big-orders` in venice.kdl, as written.
-- Orders over 100, re-published for the JDBC sink.
-- The `orders` stream's key column ID holds Debezium's key record: ksqlDB reads a single key
-- column unwrapped, so ID is a STRUCT<ID INT>. It must be in the projection, and with
-- KEY_FORMAT='AVRO' it is written back as an Avro record with the field ID, which the sink
-- reads with `pk record-key fields=ID`. (Before ksqlDB 0.15 every key was read as a KAFKA
-- STRING, and the Avro key bytes came out as an unusable string.)
-- TOTAL is numeric(10,2) in PostgreSQL: a DECIMAL(10,2) column here.
CREATE STREAM big_orders WITH (
    KAFKA_TOPIC = 'BIG_ORDERS',
    KEY_FORMAT = 'AVRO',
    VALUE_FORMAT = 'AVRO'
) AS
SELECT
    id,
    customer_id,
    status,
    total,
    created_at
FROM orders
WHERE total > 100
EMIT CHANGES;
