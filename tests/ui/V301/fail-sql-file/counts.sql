-- Three mistakes, each in its own statement: all are reported.
CREATE TABLE order_counts AS
  SELECT customer_id, COUNT(*) AS orders
  FROM orders
  GROUP customer_id
  EMIT CHANGES;

-- A table's key is a PRIMARY KEY.
CREATE TABLE customers (id STRING KEY, name STRING)
  WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');

CREATE STREAM big_orders AS
  SELECT id, amount FROM orders WHERE amount > 100 EMIT;
