-- `numeric` without precision: Debezium writes a VariableScaleDecimal struct.
CREATE TABLE payments (
    id     bigint PRIMARY KEY,
    amount numeric NOT NULL
);
