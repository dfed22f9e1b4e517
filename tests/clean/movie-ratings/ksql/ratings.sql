CREATE TABLE movies (ID INT PRIMARY KEY)
    WITH (KAFKA_TOPIC = 'movies', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

CREATE STREAM ratings (MOVIE_ID INT KEY)
    WITH (KAFKA_TOPIC = 'ratings', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO');

-- Each rating with its movie's title and year.
CREATE STREAM rated_movies WITH (KAFKA_TOPIC = 'rated_movies', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT ratings.movie_id AS id, title, release_year, rating
FROM ratings
LEFT JOIN movies ON ratings.movie_id = movies.id
EMIT CHANGES;

-- Ratings per title in six-hour windows.
CREATE TABLE rating_counts WITH (KAFKA_TOPIC = 'rating_counts', KEY_FORMAT = 'KAFKA', VALUE_FORMAT = 'AVRO') AS
SELECT title, COUNT(*) AS rating_count, AVG(rating) AS average_rating
FROM rated_movies
WINDOW TUMBLING (SIZE 6 HOURS)
GROUP BY title
EMIT CHANGES;
