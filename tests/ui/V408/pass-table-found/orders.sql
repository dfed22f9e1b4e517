-- As pg_dump --schema-only prints it, quoted names and all.
CREATE TABLE "public"."orders" (
    "id" integer NOT NULL,
    total numeric(10,2),
    placed timestamp(3) without time zone,
    CONSTRAINT orders_pkey PRIMARY KEY ("id")
);
CREATE INDEX orders_total ON public.orders (total);
