-- The kinds of statement a transform holds, each as ksqlDB accepts it.
DEFINE region = 'EU';

CREATE TYPE IF NOT EXISTS address AS STRUCT<street STRING, city STRING>;

CREATE OR REPLACE TABLE order_counts
  WITH (KAFKA_TOPIC='ORDER_COUNTS', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON') AS
  SELECT customer_id, COUNT(*) AS orders, LATEST_BY_OFFSET(amount) AS last_amount
  FROM orders
  WINDOW TUMBLING (SIZE 1 HOUR, GRACE PERIOD 10 MINUTES)
  WHERE region = '${region}'
  GROUP BY customer_id
  HAVING COUNT(*) > 1
  EMIT CHANGES;

CREATE STREAM enriched WITH (KAFKA_TOPIC='ENRICHED', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON') AS
  SELECT o.id AS id, o.amount, b.amount AS big_amount,
         CASE WHEN o.amount BETWEEN 0 AND 10 THEN 'small' ELSE 'large' END AS size_class
  FROM orders o
  LEFT JOIN big_orders b WITHIN (1 MINUTE, 5 MINUTES) GRACE PERIOD 30 SECONDS ON o.id = b.id
  PARTITION BY o.id
  EMIT CHANGES;

INSERT INTO big_orders SELECT id, amount FROM orders WHERE amount > 1000 EMIT CHANGES;

UNDEFINE region;
