-- TPC-H Q1: pricing summary report
-- (multi-line, commented: it must come back as one query)
SELECT
    l_returnflag,
    l_linestatus,
    SUM(l_quantity) AS sum_qty,   -- units
    SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
    /* average over the group; the ';' in this comment is not a terminator */
    AVG(l_quantity) AS avg_qty,
    COUNT(*) AS count_order
FROM
    lineitem
WHERE
    l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
GROUP BY
    l_returnflag,
    l_linestatus
ORDER BY
    l_returnflag,
    l_linestatus -- ordered for the report
;
SELECT COUNT(*) FROM lineitem WHERE l_comment = 'a;b -- not a comment';
