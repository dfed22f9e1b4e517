-- From `transform platinum-orders` in venice.kdl, as written.
-- Platinum customers' orders, re-published for the JDBC sink.
-- ORDER_ID is the key column of the `orders` stream: ksqlDB requires it in the projection,
-- and writes it back as the record key (KEY_FORMAT='KAFKA': a plain UTF-8 string).
-- Unquoted identifiers are upper-cased, so the Avro field `order_id` is the column ORDER_ID.
CREATE STREAM platinum_orders WITH (
    KAFKA_TOPIC = 'PLATINUM_ORDERS',
    KEY_FORMAT = 'KAFKA',
    VALUE_FORMAT = 'AVRO'
) AS
SELECT
    order_id,
    customer_id,
    amount,
    created_at
FROM orders
WHERE tier = 'PLATINUM'
EMIT CHANGES;
