import { listRoutes } from '../support/routes';
import { startTestApp, type TestApp } from '../support/test-app';

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  example?: unknown;
}

interface Content {
  schema?: Schema;
  examples?: Record<string, { value: unknown }>;
}

interface Operation {
  summary?: string;
  description?: string;
  responses: Record<string, { content?: Record<string, Content> }>;
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, Content> };
  security?: unknown[];
}

interface OpenApiDoc {
  info: { description?: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { scheme?: string }> };
}

/** Every operation of the document, as `METHOD /path`. */
function operations(doc: OpenApiDoc): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
  );
}

/**
 * Where a schema fails to say what its values are: no type, no $ref, no composition, or a
 * bare `object` (no properties, no additionalProperties), which is what swagger's reflection
 * makes of `string | null` without an explicit type. Walks nested properties and items.
 */
function untypedIn(where: string, schema: Schema | undefined): string[] {
  if (!schema) return [`${where}: no schema`];
  if (schema.$ref) return [];
  const composed = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (composed) return composed.flatMap((s, i) => untypedIn(`${where}[${i}]`, s));
  if (!schema.type) return [`${where}: no type`];
  const problems: string[] = [];
  if (schema.type === 'object' && !schema.properties && !schema.additionalProperties) {
    problems.push(`${where}: bare object`);
  }
  if (schema.type === 'array') problems.push(...untypedIn(`${where}[]`, schema.items));
  if (typeof schema.additionalProperties === 'object') {
    problems.push(...untypedIn(`${where}{}`, schema.additionalProperties));
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    problems.push(...untypedIn(`${where}.${name}`, property));
    // Instants (`createdAt`, `startsAt`, ...) are ISO 8601 strings, never a bare string or number.
    if (/At$/.test(name) && !property.$ref && !(property.type === 'string' && property.format === 'date-time')) {
      problems.push(`${where}.${name}: an instant without type string, format date-time`);
    }
  }
  return problems;
}

/** The request bodies people write most: each shows a filled-in example. */
const MAIN_BODIES = [
  'POST /api/auth/login',
  'POST /api/org-units',
  'POST /api/users',
  'POST /api/surveys',
  'POST /api/courses',
  'POST /api/venues',
  'POST /api/plans',
  'POST /api/classes',
  'POST /api/classes/{id}/sessions',
  'POST /api/classes/{id}/enrolments',
  'PUT /api/sessions/{id}/attendance',
  'POST /api/sessions/{id}/check-in',
];

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/docs-json').expect(200)).body as OpenApiDoc;
  });
  afterAll(() => t.close());

  it('documents every route with its error responses', () => {
    const missing: string[] = [];
    // Pages (src/web/) are HTML for browsers, not part of the API's contract.
    for (const r of listRoutes(t.app).filter((route) => !route.page)) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      if (!op) missing.push(`${r.method} ${path}`);
      else if (!r.isPublic && !op.responses['401']) missing.push(`${r.method} ${path} lacks 401`);
    }
    expect(missing).toEqual([]);
  });

  it('has the bearer scheme and the DTO schemas', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ scheme: 'bearer' });
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'LoginDto',
        'UserDto',
        'CreateUserDto',
        'CreateOrgUnitDto',
        'OrgUnitDto',
        'ErrorResponseDto',
      ]),
    );
    expect(doc.paths['/api/users']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('gives every operation a summary and a description', () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(50);
    const lacking = ops.flatMap(([name, op]) => [
      ...(op.summary?.trim() ? [] : [`${name}: no summary`]),
      ...(op.description?.trim() ? [] : [`${name}: no description`]),
    ]);
    expect(lacking).toEqual([]);
  });

  it('says once what every answer shares: errors, languages, instants, lists, retries', () => {
    expect(doc.info.description).toEqual(expect.stringContaining('Accept-Language: en'));
    expect(doc.info.description).toEqual(expect.stringContaining('2027-01-05T09:00:00+08:00'));
    expect(doc.info.description).toEqual(expect.stringContaining('Idempotency-Key'));
    expect(doc.info.description).toEqual(expect.stringContaining('{items, total, page, pageSize}'));
  });

  it('gives every property, parameter and body its real type', () => {
    const problems = [
      ...Object.entries(doc.components.schemas).flatMap(([name, schema]) => untypedIn(name, schema)),
      ...operations(doc).flatMap(([name, op]) => [
        ...(op.parameters ?? []).flatMap((p) => untypedIn(`${name} ${p.in} ${p.name}`, p.schema)),
        ...Object.entries(op.requestBody?.content ?? {}).flatMap(([type, c]) =>
          untypedIn(`${name} body ${type}`, c.schema),
        ),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).flatMap(([type, c]) => untypedIn(`${name} ${status} ${type}`, c.schema)),
        ),
      ]),
    ];
    expect(problems).toEqual([]);
    // The case the issue names: a session's topic is a string that may be null, not an object.
    expect(doc.components.schemas.CreateSessionsDto.properties?.topic).toMatchObject({
      type: 'string',
      nullable: true,
    });
  });

  it('catches an untyped property, a bare object and an instant written as a plain string', () => {
    expect(untypedIn('A', { type: 'object', properties: { topic: { type: 'object' } } })).toEqual([
      'A.topic: bare object',
    ]);
    expect(untypedIn('B', { type: 'object', properties: { notes: {} } })).toEqual(['B.notes: no type']);
    expect(untypedIn('C', { type: 'array', items: { type: 'object' } })).toEqual(['C[]: bare object']);
    expect(untypedIn('D', { type: 'object', properties: { startsAt: { type: 'string' } } })).toEqual([
      'D.startsAt: an instant without type string, format date-time',
    ]);
    expect(untypedIn('E', { allOf: [{ $ref: '#/components/schemas/X' }] })).toEqual([]);
  });

  it('shows a filled-in example for each main request body', () => {
    const byName = new Map(operations(doc));
    const without = MAIN_BODIES.filter((name) => {
      const json = byName.get(name)?.requestBody?.content['application/json'];
      return !json?.examples || Object.keys(json.examples).length === 0;
    });
    expect(without).toEqual([]);
  });

  it('serves the interactive UI', async () => {
    const res = await t.http.get('/docs').redirects(1).expect(200);
    expect(res.text).toMatch(/swagger/i);
  });
});
