-- gaggle's own TPC-H-shaped data generator (not dbgen): the eight tables of the TPC-H
-- schema with the spec's column names and types, the spec's value vocabularies (segments,
-- priorities, ship modes, part types, containers, nations and regions) and key relations
-- (a lineitem's supplier is one of the four that supply its part; one customer in three
-- places no order), filled from a deterministic hash of the row number. Cardinalities
-- follow the scale factor as in the spec: part 200,000 x SF, supplier 10,000 x SF,
-- customer 150,000 x SF, orders 1,500,000 x SF, 1 to 7 lines per order.
-- The driver replaces :SF with the scale factor and :DIR with the output folder, and
-- runs it in DuckDB, which writes one Parquet file per table.
CREATE TEMP MACRO rnd(i, salt, n) AS CAST(hash(i * 1000003 + salt) % n AS BIGINT);
CREATE TEMP TABLE colors AS SELECT * FROM (VALUES (0, 'almond'), (1, 'antique'), (2, 'aquamarine'), (3, 'azure'),
  (4, 'beige'), (5, 'bisque'), (6, 'black'), (7, 'blanched'), (8, 'blue'), (9, 'blush'), (10, 'brown'),
  (11, 'burlywood'), (12, 'chartreuse'), (13, 'chocolate'), (14, 'coral'), (15, 'cornflower'), (16, 'cream'),
  (17, 'cyan'), (18, 'dark'), (19, 'deep'), (20, 'dim'), (21, 'dodger'), (22, 'drab'), (23, 'firebrick'),
  (24, 'forest'), (25, 'frosted'), (26, 'gainsboro'), (27, 'ghost'), (28, 'goldenrod'), (29, 'green'),
  (30, 'honeydew'), (31, 'hot'), (32, 'indian'), (33, 'ivory'), (34, 'khaki'), (35, 'lace')) t(k, c);
CREATE TEMP TABLE words AS SELECT * FROM (VALUES (0, 'carefully'), (1, 'final'), (2, 'special'), (3, 'requests'),
  (4, 'furiously'), (5, 'pending'), (6, 'deposits'), (7, 'Customer'), (8, 'Complaints'), (9, 'ironic'),
  (10, 'packages'), (11, 'quickly'), (12, 'regular'), (13, 'accounts'), (14, 'bold'), (15, 'theodolites')) t(k, w);
CREATE TEMP MACRO comment(i, salt) AS (
  (SELECT w FROM words WHERE k = rnd(i, salt, 16)) || ' ' || (SELECT w FROM words WHERE k = rnd(i, salt + 1, 16)) ||
  ' ' || (SELECT w FROM words WHERE k = rnd(i, salt + 2, 16)) || ' ' || (SELECT w FROM words WHERE k = rnd(i, salt + 3, 16)));

COPY (SELECT * FROM (VALUES (0, 'AFRICA', 'lar deposits'), (1, 'AMERICA', 'hs use ironic requests'),
  (2, 'ASIA', 'ges thrash furiously'), (3, 'EUROPE', 'ly final courts'), (4, 'MIDDLE EAST', 'uickly special accounts'))
  t(r_regionkey, r_name, r_comment)) TO ':DIR/region.parquet' (FORMAT parquet);

COPY (SELECT n_nationkey, n_name, n_regionkey, 'nation ' || n_name AS n_comment FROM (VALUES
  (0, 'ALGERIA', 0), (1, 'ARGENTINA', 1), (2, 'BRAZIL', 1), (3, 'CANADA', 1), (4, 'EGYPT', 4), (5, 'ETHIOPIA', 0),
  (6, 'FRANCE', 3), (7, 'GERMANY', 3), (8, 'INDIA', 2), (9, 'INDONESIA', 2), (10, 'IRAN', 4), (11, 'IRAQ', 4),
  (12, 'JAPAN', 2), (13, 'JORDAN', 4), (14, 'KENYA', 0), (15, 'MOROCCO', 0), (16, 'MOZAMBIQUE', 0), (17, 'PERU', 1),
  (18, 'CHINA', 2), (19, 'ROMANIA', 3), (20, 'SAUDI ARABIA', 4), (21, 'VIETNAM', 2), (22, 'RUSSIA', 3),
  (23, 'UNITED KINGDOM', 3), (24, 'UNITED STATES', 1)) t(n_nationkey, n_name, n_regionkey))
  TO ':DIR/nation.parquet' (FORMAT parquet);

COPY (SELECT CAST(i AS INTEGER) AS s_suppkey, 'Supplier#' || lpad(CAST(i AS VARCHAR), 9, '0') AS s_name,
  md5(CAST(i AS VARCHAR))[1:15] AS s_address, CAST(rnd(i, 1, 25) AS INTEGER) AS s_nationkey,
  CAST(rnd(i, 1, 25) + 10 AS VARCHAR) || '-' || CAST(100 + rnd(i, 2, 900) AS VARCHAR) || '-' ||
    CAST(100 + rnd(i, 3, 900) AS VARCHAR) || '-' || CAST(1000 + rnd(i, 4, 9000) AS VARCHAR) AS s_phone,
  CAST((rnd(i, 5, 1099999) - 99999) / 100.0 AS DECIMAL(15, 2)) AS s_acctbal,
  CASE WHEN rnd(i, 6, 200) = 0 THEN 'blithely Customer even Complaints' ELSE comment(i, 7) END AS s_comment
  FROM range(1, CAST(10000 * :SF AS BIGINT) + 1) t(i)) TO ':DIR/supplier.parquet' (FORMAT parquet);

COPY (SELECT CAST(i AS INTEGER) AS p_partkey,
  (SELECT c FROM colors WHERE k = rnd(i, 1, 36)) || ' ' || (SELECT c FROM colors WHERE k = rnd(i, 2, 36)) || ' ' ||
    (SELECT c FROM colors WHERE k = rnd(i, 3, 36)) || ' ' || (SELECT c FROM colors WHERE k = rnd(i, 4, 36)) || ' ' ||
    (SELECT c FROM colors WHERE k = rnd(i, 5, 36)) AS p_name,
  'Manufacturer#' || CAST(1 + rnd(i, 6, 5) AS VARCHAR) AS p_mfgr,
  'Brand#' || CAST(1 + rnd(i, 6, 5) AS VARCHAR) || CAST(1 + rnd(i, 7, 5) AS VARCHAR) AS p_brand,
  ['STANDARD', 'SMALL', 'MEDIUM', 'LARGE', 'ECONOMY', 'PROMO'][1 + rnd(i, 8, 6)] || ' ' ||
    ['ANODIZED', 'BURNISHED', 'PLATED', 'POLISHED', 'BRUSHED'][1 + rnd(i, 9, 5)] || ' ' ||
    ['TIN', 'NICKEL', 'BRASS', 'STEEL', 'COPPER'][1 + rnd(i, 10, 5)] AS p_type,
  CAST(1 + rnd(i, 11, 50) AS INTEGER) AS p_size,
  ['SM', 'LG', 'MED', 'JUMBO', 'WRAP'][1 + rnd(i, 12, 5)] || ' ' ||
    ['CASE', 'BOX', 'BAG', 'JAR', 'PKG', 'PACK', 'CAN', 'DRUM'][1 + rnd(i, 13, 8)] AS p_container,
  CAST((90000 + ((i // 10) % 20001) + 100 * (i % 1000)) / 100.0 AS DECIMAL(15, 2)) AS p_retailprice,
  comment(i, 14) AS p_comment
  FROM range(1, CAST(200000 * :SF AS BIGINT) + 1) t(i)) TO ':DIR/part.parquet' (FORMAT parquet);

-- The spec's supplier of part p, number j (0..3), among S suppliers.
CREATE TEMP MACRO supp(p, j, s) AS CAST((p + (j * ((s // 4) + (p - 1) // s))) % s + 1 AS INTEGER);

COPY (SELECT CAST(p AS INTEGER) AS ps_partkey, supp(p, j, CAST(10000 * :SF AS BIGINT)) AS ps_suppkey,
  CAST(1 + rnd(p * 4 + j, 1, 9999) AS INTEGER) AS ps_availqty,
  CAST((100 + rnd(p * 4 + j, 2, 99901)) / 100.0 AS DECIMAL(15, 2)) AS ps_supplycost, comment(p * 4 + j, 3) AS ps_comment
  FROM range(1, CAST(200000 * :SF AS BIGINT) + 1) a(p), range(0, 4) b(j)) TO ':DIR/partsupp.parquet' (FORMAT parquet);

COPY (SELECT CAST(i AS INTEGER) AS c_custkey, 'Customer#' || lpad(CAST(i AS VARCHAR), 9, '0') AS c_name,
  md5(CAST(i * 7 AS VARCHAR))[1:20] AS c_address, CAST(rnd(i, 1, 25) AS INTEGER) AS c_nationkey,
  CAST(rnd(i, 1, 25) + 10 AS VARCHAR) || '-' || CAST(100 + rnd(i, 2, 900) AS VARCHAR) || '-' ||
    CAST(100 + rnd(i, 3, 900) AS VARCHAR) || '-' || CAST(1000 + rnd(i, 4, 9000) AS VARCHAR) AS c_phone,
  CAST((rnd(i, 5, 1099999) - 99999) / 100.0 AS DECIMAL(15, 2)) AS c_acctbal,
  ['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD'][1 + rnd(i, 6, 5)] AS c_mktsegment,
  comment(i, 7) AS c_comment
  FROM range(1, CAST(150000 * :SF AS BIGINT) + 1) t(i)) TO ':DIR/customer.parquet' (FORMAT parquet);

-- Orders: the customer is never a multiple of 3; dates from 1992-01-01 to 1998-08-02.
CREATE TEMP TABLE gen_orders AS SELECT i AS o_orderkey,
  CAST(CASE WHEN (1 + rnd(i, 1, CAST(150000 * :SF AS BIGINT))) % 3 = 0 THEN
    (1 + rnd(i, 1, CAST(150000 * :SF AS BIGINT))) % CAST(150000 * :SF AS BIGINT) + 1
    ELSE 1 + rnd(i, 1, CAST(150000 * :SF AS BIGINT)) END AS INTEGER) AS o_custkey,
  DATE '1992-01-01' + CAST(rnd(i, 2, 2405) AS INTEGER) AS o_orderdate,
  CAST(1 + rnd(i, 3, 7) AS INTEGER) AS lines
  FROM range(1, CAST(1500000 * :SF AS BIGINT) + 1) t(i);

COPY (SELECT o_orderkey, o_custkey,
  CASE WHEN o_orderdate < DATE '1995-05-01' THEN 'F' WHEN o_orderdate > DATE '1995-08-01' THEN 'O' ELSE 'P' END
    AS o_orderstatus,
  CAST((100000 + rnd(o_orderkey, 4, 50000000)) / 100.0 AS DECIMAL(15, 2)) AS o_totalprice, o_orderdate,
  ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'][1 + rnd(o_orderkey, 5, 5)] AS o_orderpriority,
  'Clerk#' || lpad(CAST(1 + rnd(o_orderkey, 6, 1000) AS VARCHAR), 9, '0') AS o_clerk, 0 AS o_shippriority,
  CASE WHEN rnd(o_orderkey, 7, 100) = 0 THEN 'even special packages wake requests' ELSE comment(o_orderkey, 8) END
    AS o_comment
  FROM gen_orders ORDER BY o_orderkey) TO ':DIR/orders.parquet' (FORMAT parquet);

COPY (SELECT l_orderkey, l_partkey, supp(l_partkey, CAST(rnd(k, 3, 4) AS BIGINT), CAST(10000 * :SF AS BIGINT))
    AS l_suppkey, l_linenumber, CAST(l_quantity AS DECIMAL(15, 2)) AS l_quantity,
  CAST(l_quantity * (90000 + ((l_partkey // 10) % 20001) + 100 * (l_partkey % 1000)) / 100.0 AS DECIMAL(15, 2))
    AS l_extendedprice,
  CAST(rnd(k, 4, 11) / 100.0 AS DECIMAL(15, 2)) AS l_discount, CAST(rnd(k, 5, 9) / 100.0 AS DECIMAL(15, 2)) AS l_tax,
  CASE WHEN l_receiptdate <= DATE '1995-06-17' THEN ['R', 'A'][1 + rnd(k, 6, 2)] ELSE 'N' END AS l_returnflag,
  CASE WHEN l_shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
  l_shipdate, l_commitdate, l_receiptdate,
  ['DELIVER IN PERSON', 'COLLECT COD', 'NONE', 'TAKE BACK RETURN'][1 + rnd(k, 7, 4)] AS l_shipinstruct,
  ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB'][1 + rnd(k, 8, 7)] AS l_shipmode,
  comment(k, 9) AS l_comment
  FROM (SELECT o_orderkey AS l_orderkey, CAST(n AS INTEGER) AS l_linenumber, o_orderkey * 8 + n AS k,
          CAST(1 + rnd(o_orderkey * 8 + n, 1, CAST(200000 * :SF AS BIGINT)) AS INTEGER) AS l_partkey,
          1 + rnd(o_orderkey * 8 + n, 2, 50) AS l_quantity,
          o_orderdate + CAST(1 + rnd(o_orderkey * 8 + n, 10, 121) AS INTEGER) AS l_shipdate,
          o_orderdate + CAST(30 + rnd(o_orderkey * 8 + n, 11, 61) AS INTEGER) AS l_commitdate,
          o_orderdate + CAST(1 + rnd(o_orderkey * 8 + n, 10, 121) + 1 + rnd(o_orderkey * 8 + n, 12, 30) AS INTEGER)
            AS l_receiptdate
        FROM gen_orders, range(1, gen_orders.lines + 1) r(n))
  ORDER BY l_orderkey, l_linenumber) TO ':DIR/lineitem.parquet' (FORMAT parquet);
