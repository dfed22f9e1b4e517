CREATE TABLE public.orders (
    id integer PRIMARY KEY,
    total numeric(10,2) NOT NULL,
    status text NOT NULL DEFAULT
);
