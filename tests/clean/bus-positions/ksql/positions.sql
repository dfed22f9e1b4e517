CREATE STREAM fixes (bus_id STRING KEY, line STRING, latitude DOUBLE, longitude DOUBLE, recorded_at TIMESTAMP)
    WITH (KAFKA_TOPIC = 'bus-locations', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO', TIMESTAMP = 'recorded_at');

-- Where each bus was last seen.
CREATE TABLE bus_positions WITH (KAFKA_TOPIC = 'bus_positions', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT bus_id,
       LATEST_BY_OFFSET(line) AS line,
       LATEST_BY_OFFSET(latitude) AS latitude,
       LATEST_BY_OFFSET(longitude) AS longitude,
       LATEST_BY_OFFSET(recorded_at) AS recorded_at
FROM fixes
GROUP BY bus_id
EMIT CHANGES;

-- Fixes per line over the last ten minutes, every minute.
CREATE TABLE line_activity WITH (KAFKA_TOPIC = 'line_activity', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT line,
       COUNT(*) AS fixes,
       COUNT_DISTINCT(bus_id) AS buses
FROM fixes
WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 1 MINUTE)
GROUP BY line
EMIT CHANGES;
