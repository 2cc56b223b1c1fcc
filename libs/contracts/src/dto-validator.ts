import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, type ValidationArguments } from 'class-validator';

/**
 * Validators compiled once from the class-validator metadata of the event DTOs. They run the very
 * constraint functions the decorators registered (isString, isIn, isISO8601, ...) straight on the
 * decoded JSON, with class-validator's rules for optional, conditional, `each` and nested properties,
 * but without validateSync's per-call work: no class-transformer copy of the data (the whole webhook
 * payload for `webhook.received`), no metadata lookups, no ValidationError tree.
 *
 * The answer is the list of `<path>: <constraint>` violations, in the order validateSync reports
 * them (`libs/contracts/src/testing/reference-codec.ts` keeps validateSync as the reference a test
 * compares this with, verdicts and messages, over valid and invalid payloads of every event type).
 */
export type DataValidator = (data: object) => string[];

type DtoClass = new () => object;
type Metadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];
type Condition = (object: object, value: unknown) => boolean;

interface Rule {
  constraint: string;
  each: boolean;
  validateIf?: Condition;
  constraints: unknown[];
  test: (value: unknown, args: ValidationArguments) => boolean;
}

interface PropertyPlan {
  name: string;
  conditions: Condition[];
  rules: Rule[];
  /** @ValidateNested: the plan of the class objects under the property become (class-transformer's @Type). */
  nested?: ClassPlan;
}

interface ClassPlan {
  className: string;
  properties: PropertyPlan[];
}

const storage = getMetadataStorage();
const plans = new Map<DtoClass, ClassPlan>();

/** Compiles the validator of a DTO class (and of the classes nested in it). */
export function compileDataValidator(cls: DtoClass): DataValidator {
  const plan = planOf(cls);
  return (data) => {
    const out: string[] = [];
    validateObject(plan, data as Record<string, unknown>, '', out);
    return out;
  };
}

function planOf(cls: DtoClass): ClassPlan {
  const known = plans.get(cls);
  if (known) return known;
  const plan: ClassPlan = { className: cls.name, properties: [] };
  // Registered before the properties are compiled, so a class nested in itself resolves.
  plans.set(cls, plan);
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(cls, '', false, false));
  for (const [name, metadatas] of Object.entries(grouped)) plan.properties.push(propertyPlan(cls, name, metadatas));
  return plan;
}

function propertyPlan(cls: DtoClass, name: string, metadatas: Metadata[]): PropertyPlan {
  if (name in Object.prototype) throw new Error(`${cls.name}.${name}: a property named like an Object.prototype member cannot be validated`);
  const plan: PropertyPlan = { name, conditions: [], rules: [] };
  const defined = metadatas.filter((m) => m.type === ValidationTypes.IS_DEFINED);
  const others = metadatas.filter((m) => m.type !== ValidationTypes.IS_DEFINED && m.type !== ValidationTypes.WHITELIST);
  for (const m of others) {
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) plan.conditions.push(m.constraints[0] as Condition);
    else if (m.type === ValidationTypes.NESTED_VALIDATION && !plan.nested) plan.nested = planOf(nestedClassOf(cls, name));
    else if (m.type !== ValidationTypes.CUSTOM_VALIDATION) throw new Error(`${cls.name}.${name}: unsupported validation ${m.type}`);
  }
  // validateSync checks @IsDefined first, then the other constraints in the order they were registered.
  for (const m of [...defined, ...others.filter((o) => o.type === ValidationTypes.CUSTOM_VALIDATION)]) plan.rules.push(...rulesOf(m));
  return plan;
}

function rulesOf(m: Metadata): Rule[] {
  // Asynchronous constraints are skipped by validateSync too.
  return storage
    .getTargetValidatorConstraints(m.constraintCls)
    .filter((c) => !c.async)
    .map((c) => {
      const instance = c.instance;
      return {
        constraint: c.name || m.type,
        each: m.each === true,
        validateIf: m.validateIf as Condition | undefined,
        constraints: m.constraints,
        test: (value: unknown, args: ValidationArguments) => instance.validate(value, args) as boolean,
      };
    });
}

/** The class an object under `cls.<name>` becomes when class-transformer turns data into `cls` (Object without @Type). */
function nestedClassOf(cls: DtoClass, name: string): DtoClass {
  const sample = plainToInstance(cls, { [name]: {} }) as Record<string, unknown>;
  return (sample[name] as object).constructor as DtoClass;
}

function validateObject(plan: ClassPlan, object: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const p of plan.properties) {
    const value = object[p.name];
    if (!p.conditions.every((condition) => condition(object, value))) continue;
    const path = prefix ? `${prefix}.${p.name}` : p.name;
    let own: string[] | undefined;
    for (const rule of p.rules) {
      if (rule.validateIf && !rule.validateIf(object, value)) continue;
      const args: ValidationArguments = { targetName: plan.className, property: p.name, object, value, constraints: rule.constraints };
      const valid = rule.each && Array.isArray(value) ? value.every((v) => rule.test(v, args)) : rule.test(value, args);
      if (!valid && !(own ??= []).includes(rule.constraint)) own.push(rule.constraint);
    }
    if (!p.nested || value === undefined) {
      if (own) for (const c of own) out.push(`${path}: ${c}`);
      continue;
    }
    const children: string[] = [];
    if (!validateNested(p.nested, value, path, children)) (own ??= []).push(ValidationTypes.NESTED_VALIDATION);
    if (own) for (const c of own) out.push(`${path}: ${c}`);
    out.push(...children);
  }
}

/** Validates a value under @ValidateNested into `out`; false when the value itself is neither object nor array. */
function validateNested(nested: ClassPlan, value: unknown, path: string, out: string[]): boolean {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (item === undefined) return;
      const itemPath = `${path}.${i}`;
      const children: string[] = [];
      if (!validateNested(nested, item, itemPath, children)) out.push(`${itemPath}: ${ValidationTypes.NESTED_VALIDATION}`);
      out.push(...children);
    });
    return true;
  }
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  // A function stays a function through class-transformer, a class without metadata to validateSync.
  if (typeof value === 'object') validateObject(nested, value as Record<string, unknown>, path, out);
  return true;
}
