-- The source table in the `shop` database. Venice reads this DDL to derive the Avro records
-- that Debezium writes: the key is a record of the primary key ({id}), the value (unwrapped)
-- a record of every column.
CREATE TABLE public.orders (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL,
    status      text NOT NULL,
    total       numeric(10,2),
    created_at  timestamptz NOT NULL DEFAULT now()
);
