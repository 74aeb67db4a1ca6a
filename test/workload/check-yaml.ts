import { validate } from '../../src/util/validate.js';
import { parseYaml } from '../../src/util/yaml-file.js';
import { workloadSchema } from '../../src/workload/index.js';

/** Validates the `workload:` block of a YAML fragment (file s.yaml) and returns the error line, or '' when valid. */
export function checkWorkloadYaml(yaml: string): string {
  const doc = parseYaml(yaml, 's.yaml');
  try {
    validate(workloadSchema, (doc.data as { workload: unknown }).workload, doc, ['workload']);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
