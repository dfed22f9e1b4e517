CREATE STREAM orders (id INT KEY, total_amount DOUBLE, customer_name VARCHAR)
    WITH (KAFKA_TOPIC = 'orders', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

CREATE STREAM shipments (id VARCHAR KEY, order_id INT, warehouse VARCHAR)
    WITH (KAFKA_TOPIC = 'shipments', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

-- Each order with the shipment that followed it within a week (shipments are repartitioned
-- by ORDER_ID for the join; the result is keyed by the order's id).
CREATE STREAM shipped_orders WITH (KAFKA_TOPIC = 'shipped_orders', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT o.id AS order_id,
       TIMESTAMPTOSTRING(o.rowtime, 'yyyy-MM-dd HH:mm:ss', 'UTC') AS order_ts,
       o.total_amount AS total_amount,
       o.customer_name AS customer_name,
       s.id AS shipment_id,
       TIMESTAMPTOSTRING(s.rowtime, 'yyyy-MM-dd HH:mm:ss', 'UTC') AS shipment_ts,
       s.warehouse AS warehouse,
       (s.rowtime - o.rowtime) / 1000 / 60 AS ship_time
FROM orders o
INNER JOIN shipments s WITHIN 7 DAYS ON o.id = s.order_id
EMIT CHANGES;
