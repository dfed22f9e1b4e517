-- Each order with its customer's tier: a stream-table join on the customer id (ksqlDB
-- repartitions the orders by CUSTOMER_ID; both topics have three partitions).
CREATE STREAM orders_with_tier WITH (KAFKA_TOPIC = 'orders_with_tier', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT o.customer_id AS customer_id,
       o.order_id,
       o.amount,
       c.tier
FROM orders o
JOIN customers c ON o.customer_id = c.customer_id
EMIT CHANGES;

-- Revenue and order count per tier, kept up to date.
CREATE TABLE revenue_by_tier WITH (KAFKA_TOPIC = 'revenue_by_tier', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT tier,
       COUNT(*) AS orders,
       SUM(amount) AS revenue
FROM orders_with_tier
GROUP BY tier
EMIT CHANGES;
