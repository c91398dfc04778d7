// Runs @backstage/catalog-model's validators over Backstage descriptor files, as the
// catalog backend does when it ingests them: the entity policies (schema, field formats,
// no foreign root fields, default namespace) and the validator of each built-in kind.
// Usage: node validate.mjs FILE...  Prints one line per invalid entity; exits 1 if any.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import {
  EntityPolicies,
  DefaultNamespaceEntityPolicy,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';

const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const validators = [
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
];

let entities = 0;
let bad = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const entity = doc.toJS();
    if (!entity) continue;
    entities++;
    const name = `${file}: ${entity.kind}:${entity.metadata?.name}`;
    try {
      await policy.enforce(structuredClone(entity));
      let known = false;
      for (const v of validators) known = (await v.check(entity)) || known;
      if (!known) throw new Error(`no validator for kind ${entity.kind} (${entity.apiVersion})`);
    } catch (e) {
      bad++;
      console.log(`invalid ${name}: ${e.message}`);
    }
  }
}
console.log(`${entities} entities checked, ${bad} invalid`);
process.exit(bad === 0 && entities > 0 ? 0 : 1);
