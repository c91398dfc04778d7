-- daily revenue
SELECT date(ts) AS day, COUNT(*) FROM events_clean GROUP BY 1;
/* the second query; with a ';' in a string */
SELECT id FROM events_clean WHERE payload = 'a;b'
