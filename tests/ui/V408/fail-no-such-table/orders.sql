CREATE TABLE public.order_lines (
    id integer PRIMARY KEY,
    order_id integer NOT NULL
);
