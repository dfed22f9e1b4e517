CREATE STREAM pageviews (pageview_key STRING KEY, viewtime BIGINT, userid STRING, pageid STRING)
    WITH (KAFKA_TOPIC = 'pageviews', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

CREATE STREAM mobile_pageviews (pageview_key STRING KEY, viewtime BIGINT, userid STRING, pageid STRING)
    WITH (KAFKA_TOPIC = 'mobile_pageviews', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

CREATE TABLE users (id STRING PRIMARY KEY, registertime BIGINT, userid STRING, regionid STRING, gender STRING)
    WITH (KAFKA_TOPIC = 'users', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

-- Each view with its user's gender and region (the stream is repartitioned by USERID).
CREATE STREAM pageviews_enriched WITH (KAFKA_TOPIC = 'pageviews_enriched', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT pv.userid AS userid, pv.pageid, pv.viewtime, u.gender, u.regionid
FROM pageviews pv
LEFT JOIN users u ON pv.userid = u.id
EMIT CHANGES;

-- The mobile app's views join the same stream.
INSERT INTO pageviews_enriched
SELECT mp.userid AS userid, mp.pageid, mp.viewtime, u.gender, u.regionid
FROM mobile_pageviews mp
LEFT JOIN users u ON mp.userid = u.id
EMIT CHANGES;

-- Views per gender and region, in 30-second windows.
CREATE TABLE pageviews_per_region WITH (KAFKA_TOPIC = 'pageviews_per_region', KEY_FORMAT = 'AVRO', VALUE_FORMAT = 'AVRO') AS
SELECT gender, regionid, COUNT(*) AS numusers
FROM pageviews_enriched
WINDOW TUMBLING (SIZE 30 SECONDS)
GROUP BY gender, regionid
EMIT CHANGES;
