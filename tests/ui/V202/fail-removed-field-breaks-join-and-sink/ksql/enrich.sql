CREATE TABLE customers (customer_id STRING PRIMARY KEY, name STRING, email STRING)
    WITH (KAFKA_TOPIC = 'customers', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

CREATE STREAM orders (order_id STRING KEY, customer_id STRING, amount DOUBLE)
    WITH (KAFKA_TOPIC = 'orders', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

CREATE STREAM enriched WITH (KAFKA_TOPIC = 'ENRICHED', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT o.customer_id, o.order_id, o.amount, c.email AS contact
FROM orders o
JOIN customers c ON o.customer_id = c.customer_id
EMIT CHANGES;

CREATE TABLE orders_by_contact WITH (KAFKA_TOPIC = 'ORDERS_BY_CONTACT', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT contact, COUNT(*) AS orders
FROM enriched
GROUP BY contact
EMIT CHANGES;
