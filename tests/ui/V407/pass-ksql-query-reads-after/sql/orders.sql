CREATE TABLE public.orders (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL,
    total       numeric(10,2)
);
