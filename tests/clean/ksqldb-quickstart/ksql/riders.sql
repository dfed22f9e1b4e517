-- The latest position of each rider: a table keyed by PROFILEID.
CREATE TABLE currentLocation WITH (KAFKA_TOPIC = 'currentLocation', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
  SELECT profileId,
         LATEST_BY_OFFSET(latitude) AS la,
         LATEST_BY_OFFSET(longitude) AS lo
  FROM riderLocations
  GROUP BY profileId
  EMIT CHANGES;

-- How many riders are within each ten-mile ring of Mountain View.
CREATE TABLE ridersNearMountainView WITH (KAFKA_TOPIC = 'ridersNearMountainView', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
  SELECT ROUND(GEO_DISTANCE(la, lo, 37.4133, -122.1162), -1) AS distanceInMiles,
         COLLECT_LIST(profileId) AS riders,
         COUNT(*) AS count
  FROM currentLocation
  GROUP BY ROUND(GEO_DISTANCE(la, lo, 37.4133, -122.1162), -1)
  EMIT CHANGES;
