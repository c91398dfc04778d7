# The estate of after_migration.sh and s3_after_migration.sh: five event datasets, orders and
# a country reference in ./lake (make_lake), and a catalog with four consumers whose queries
# the final gate verifies (write_catalog FILE LAKE_URI: the datasets under LAKE_URI). Needs
# $G (the gaggle binary) and $PY.

make_lake() {
  mkdir -p lake
  for i in 0 1 2 3 4; do "$G" generate "lake/ds$i.jsonl" --profile events --rows 3000 --seed "$i" -q; done
  "$G" generate lake/orders.jsonl --profile events --rows 2000 --seed 9 -q
  printf 'country,region\nDE,eu\nFR,eu\nNL,eu\nUS,na\nCA,na\nBR,sa\nJP,apac\nIN,apac\n' > lake/countries.csv
}

# write_catalog FILE LAKE_URI: after_migration.sh's datasets (under LAKE_URI) and consumers.
write_catalog() {
  $PY - "$1" "$2" <<'PY'
import sys, json
out, lake = sys.argv[1], sys.argv[2]
def q(s): return json.dumps(s)
lines = ["gaggle_catalog: 1", "datasets:"]
for i in range(5):
    lines += [f"  - id: ds{i}", f"    uri: {lake}/ds{i}.jsonl", "    format: jsonl", "    owner: team-data"]
lines += [f"  - id: sales.orders", f"    uri: {lake}/orders.jsonl", "    format: jsonl"]
lines += [f"  - id: ref.countries", f"    uri: {lake}/countries.csv", "    format: csv",
          "    schema: \"country: string, region: string\""]
consumers = {
  "billing": (["ds0", "ds1"], [
    "SELECT country, COUNT(*) AS n, SUM(CAST(amount AS DOUBLE)) AS revenue FROM ds0 GROUP BY country",
    "SELECT a.user_id, COUNT(*) AS both_sides FROM ds0 a JOIN ds1 b ON a.country = b.country AND a.user_id % 50 = b.user_id % 50 GROUP BY a.user_id",
    "SELECT date_trunc('hour', CAST(ts AS TIMESTAMP)) AS hour, COUNT(DISTINCT user_id) AS users FROM ds1\nWHERE session <> 'user_id' -- per user_id and hour\nGROUP BY 1"]),
  "ml": (["ds2", "ref.countries"], [
    "SELECT r.region, AVG(CAST(e.amount AS DOUBLE)) AS avg_amount, COUNT(*) AS n FROM ds2 e JOIN ref.countries r ON e.country = r.country GROUP BY r.region"]),
  "sales-api": (["sales.orders"], ["SELECT \"user_id\", MAX(ts) AS last_seen FROM sales.orders GROUP BY \"user_id\""]),
  "dashboard": (["ds3", "ds4"], [
    "SELECT COUNT(*) AS big FROM ds3 WHERE CAST(amount AS DOUBLE) >= 100",
    "SELECT country, session FROM ds4 WHERE CAST(amount AS DOUBLE) > 49000"]),
}
lines.append("consumers:")
for name, (ups, queries) in consumers.items():
    lines += [f"  - id: {name}", "    owner: team-" + name, f"    upstream: {q(ups)}", f"    queries: {q(queries)}"]
open(out, "w").write("\n".join(lines) + "\n")
PY
}
