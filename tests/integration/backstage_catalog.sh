#!/usr/bin/env bash
# Backstage's own example catalog (the examples/ folder of @backstage/create-app's app
# template, from npm, used in place) imports as a new user would import it: through its
# Location, with Groups, Users, APIs and the Template kept aside and owners and systems
# kept; the export passes @backstage/catalog-model's validators; and export -> import ->
# export gives the same bytes, for that catalog and for the demo estate.
set -euo pipefail
GAGGLE="$1"
ROOT="${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
WORK="${WORK:-$(mktemp -d)}"
cd "$WORK"
fail() { echo "FAIL: $*"; exit 1; }
EXAMPLES="$(bash "$ROOT/tests/backstage-catalog/setup.sh")"
VALIDATE="$ROOT/tests/backstage-catalog/validate.mjs"
echo "examples: $EXAMPLES"
ls -R "$EXAMPLES"

json_field() {  # json_field FILE EXPR: a value of a JSON document, via node
  node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"
}


# 1. Backstage's example catalog as its app-config lists it (catalog.locations): an
#    all.yaml-style Location naming the example files. They live outside this directory,
#    so the import refuses them until --allow-outside-tree says otherwise.
cat > all.yaml <<YAML
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: backstage-examples}
spec:
  targets:
    - $EXAMPLES/entities.yaml
    - $EXAMPLES/org.yaml
    - $EXAMPLES/template/template.yaml
    - ./tpch.yaml
YAML
# A consumer of gaggle's own: the 22 TPC-H queries, multi-line and commented (q01 once
# came back from an export as 21 "queries").
{
  printf 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: tpch-reports\n'
  printf '  annotations:\n    gaggle.dev/queries: |\n'
  for q in "$ROOT"/tests/corpus/tpch/q??.sql; do sed 's/^/      /' "$q"; echo '      ;'; done
  printf 'spec: {type: service, lifecycle: production, owner: guests, system: examples}\n'
} > tpch.yaml
if "$GAGGLE" catalog import --state ex.db all.yaml > refused.out 2>&1; then fail "a target outside the tree was followed"; fi
grep -q "location:default/backstage-examples: target '$EXAMPLES/entities.yaml' resolves to" refused.out ||
  { cat refused.out; fail "the refusal does not name the Location and its target"; }
grep -q -- "--allow-outside-tree" refused.out || fail "the refusal does not say how to allow it"

"$GAGGLE" catalog import --state ex.db --allow-outside-tree all.yaml > import1.out 2> import1.err ||
  { cat import1.out import1.err; fail "the example catalog did not import"; }
cat import1.out import1.err
grep -q "(5 files)" import1.out || fail "expected all.yaml and its 4 targets to be read"
grep -q "catalog: 0 datasets, 3 consumers, 0 lineage edges" import1.out || fail "expected the System and 2 Components"
for kind in "1 Group entity (guests)" "1 User entity (guest)" "1 API entity (example-grpc-api)" "1 Template entity"; do
  grep -q "note: skipped $kind" import1.err || fail "no note for the skipped $kind"
done

# The examples directory itself imports too: the Template's skeleton (content/, with
# `name: ${{ values.name }}`) and its package.json are skipped with warnings.
"$GAGGLE" catalog import --state dir.db "$EXAMPLES" > dir.out 2> dir.err || { cat dir.out dir.err; fail "the examples directory did not import"; }
cat dir.out dir.err
grep -q "catalog: 0 datasets, 2 consumers" dir.out || fail "expected the System and the Component from the directory"
grep -q "skipped a scaffolder template skeleton" dir.err || fail "no warning for the template skeleton"

# Owners and systems are kept.
"$GAGGLE" catalog show --state ex.db --json component:example-website > website.json
[[ "$(json_field website.json 'j.owner')" == guests ]] || fail "example-website lost its owner"
[[ "$(json_field website.json 'j.annotations["@spec.system"]')" == examples ]] || fail "example-website lost its system"
[[ "$(json_field website.json 'j.annotations["@spec.providesApis"]')" == example-grpc-api ]] ||
  fail "example-website lost its providesApis"
"$GAGGLE" catalog show --state ex.db --json component:tpch-reports > tpch.json
[[ "$(json_field tpch.json 'j.queries.length')" == 22 ]] || fail "the 22 TPC-H queries did not import as 22"
"$GAGGLE" catalog show --state ex.db --json SYSTEM:Examples > system.json  # names compare case-insensitively
[[ "$(json_field system.json 'j.owner')" == guests ]] || fail "the examples System lost its owner"
[[ "$("$GAGGLE" catalog list --state ex.db --match 'COMPONENT:EXAMPLE-*' 2>/dev/null | wc -l)" == 1 ]] ||
  fail "list --match is not case-insensitive"

# 2. Export, validate with Backstage's own validators, import the export through its
#    catalog-info.yaml, export again: the same bytes.
"$GAGGLE" catalog export --state ex.db --backstage ex-a > /dev/null
node "$VALIDATE" ex-a/*.yaml || fail "the export of the example catalog does not pass Backstage's validators"
"$GAGGLE" catalog import --state ex2.db ex-a/catalog-info.yaml > /dev/null 2>&1 || fail "the export did not import"
"$GAGGLE" catalog export --state ex2.db --backstage ex-b > /dev/null
diff -r ex-a ex-b || fail "export -> import -> export changed the example catalog's bytes"
"$GAGGLE" catalog show --state ex2.db --json component:tpch-reports > tpch2.json
node -e '
  const fs = require("fs");
  const [a, b] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f, "utf8")).queries);
  if (JSON.stringify(a) !== JSON.stringify(b)) { console.error("TPC-H queries changed:", b.length); process.exit(1); }
' tpch.json tpch2.json || fail "the TPC-H queries changed through export -> import"
# Re-importing through another spelling of the same path changes nothing.
"$GAGGLE" catalog import --state ex2.db "./ex-a/../ex-a/catalog-info.yaml" > again.out 2>&1
grep -q "no changes since the last import" again.out || { cat again.out; fail "another path spelling changed entities"; }

# 3. The same for the demo estate: 300 datasets with lineage, consumers with SQL.
"$GAGGLE" generate-estate estate --datasets 300 --no-data -q
"$GAGGLE" catalog import --state de.db estate/catalog > /dev/null
"$GAGGLE" catalog export --state de.db --backstage de-a > /dev/null
node "$VALIDATE" de-a/*.yaml || fail "the demo estate's export does not pass Backstage's validators"
"$GAGGLE" catalog import --state de2.db de-a/catalog-info.yaml > /dev/null
"$GAGGLE" catalog export --state de2.db --backstage de-b > /dev/null
diff -r de-a de-b || fail "export -> import -> export changed the demo estate's bytes"
"$GAGGLE" catalog list --state de.db --json > de1.json 2>/dev/null
"$GAGGLE" catalog list --state de2.db --json > de2.json 2>/dev/null
node -e '
  const fs = require("fs");
  const strip = (f) => JSON.parse(fs.readFileSync(f, "utf8")).map(({ source, ...e }) => e);
  const a = strip(process.argv[1]), b = strip(process.argv[2]);
  if (JSON.stringify(a) !== JSON.stringify(b)) { console.error("the re-imported demo estate differs"); process.exit(1); }
  console.log(a.length + " entities identical after the round trip");
' de1.json de2.json || fail "the demo estate changed through export -> import"

# 4. The shapes of Backstage's own packages/*/catalog-info.yaml (src/catalog/testdata):
#    relations, a label with spaces (Backstage refuses it as a label: the export carries it
#    in gaggle.dev/labels), multi-line commented SQL.
"$GAGGLE" catalog import --state sh.db "$ROOT/src/catalog/testdata/backstage_shapes/input/all.yaml" > /dev/null 2>&1
"$GAGGLE" catalog export --state sh.db --backstage sh-a > /dev/null
node "$VALIDATE" sh-a/*.yaml || fail "the export of the Backstage shapes does not pass Backstage's validators"
"$GAGGLE" catalog import --state sh2.db sh-a > /dev/null 2>&1
"$GAGGLE" catalog export --state sh2.db --backstage sh-b > /dev/null
diff -r sh-a sh-b || fail "export -> import -> export changed the shapes' bytes"
echo "PASS backstage_catalog"
