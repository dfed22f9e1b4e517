-- Each customer's order count and total, kept up to date as orders are captured. The
-- aggregation is keyed by CUSTOMER_ID (an INT in the KAFKA key format).
CREATE TABLE customer_totals WITH (KAFKA_TOPIC = 'CUSTOMER_TOTALS', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT customer_id,
       COUNT(*) AS orders,
       SUM(total) AS total,
       MAX(created_at) AS last_order_at
FROM orders
GROUP BY customer_id
EMIT CHANGES;
