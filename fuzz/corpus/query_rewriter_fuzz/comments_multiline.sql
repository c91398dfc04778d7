-- daily actives
SELECT
  user_id, /* the id */
  ts::timestamp AS t
FROM events.raw
WHERE amount::DOUBLE PRECISION > .5e1 AND ts >= DATE '2024-01-01'
ORDER BY t DESC NULLS LAST;
