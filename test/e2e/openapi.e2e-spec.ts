import { listRoutes } from '../support/routes';
import { startTestApp, type TestApp } from '../support/test-app';

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, { scheme?: string }> };
}

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    t = await startTestApp();
    doc = (await t.http.get('/docs-json').expect(200)).body as OpenApiDoc;
    require('fs').writeFileSync('/tmp/openapi.json', JSON.stringify(doc, null, 2));
  });
  afterAll(() => t.close());

  it('documents every route with its error responses', () => {
    const missing: string[] = [];
    for (const r of listRoutes(t.app)) {
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

  it('serves the interactive UI', async () => {
    const res = await t.http.get('/docs').redirects(1).expect(200);
    expect(res.text).toMatch(/swagger/i);
  });
});
