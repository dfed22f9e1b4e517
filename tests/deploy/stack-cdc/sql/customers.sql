CREATE TABLE public.customers (
    id    integer PRIMARY KEY,
    name  text NOT NULL,
    email text
);
