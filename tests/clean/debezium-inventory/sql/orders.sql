-- debezium/example-postgres, inventory.sql (the foreign keys to customers and products left out:
-- the captured rows are the same)
CREATE TABLE inventory.orders (
  id SERIAL NOT NULL PRIMARY KEY,
  order_date DATE NOT NULL,
  purchaser INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  product_id INTEGER NOT NULL
);
