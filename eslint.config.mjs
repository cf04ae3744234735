// Type-aware linting: the rules in docs/conventions.md, warnings count as failures (--max-warnings 0).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import path from 'node:path';
import globals from 'globals';

/**
 * Module boundaries (docs/conventions.md): a file of src/<a>/ may import from another module src/<b>/
 * only that module's public surface: `*.module.ts`, `*.service.ts`, `*.types.ts`,
 * `*.events.ts` (its event contracts), `*.errors.ts` (its error codes, part of the HTTP
 * contract) and `dto/`. Never its entities or other internals:
 * entities are listed for TypeORM in src/database/ only, and an entity may name another
 * module's entity for a relation (TypeORM needs the class). src/common/ and src/config/ are
 * for everyone; src/database/, src/cli/ and src/demo/ wire the whole app together.
 */
const OPEN_TO_ALL = new Set(['common', 'config']);
const WIRING = new Set(['database', 'cli', 'demo']);
const PUBLIC_FILE = /(\.module|\.service|\.types|\.events|\.errors)$|^dto\//;

const moduleBoundaries = {
  meta: {
    type: 'problem',
    messages: {
      private:
        "'{{target}}' is internal to the {{module}} module: import its service, module, types, events, errors or DTOs",
    },
  },
  create(context) {
    const file = context.filename;
    const src = path.join(context.cwd, 'src');
    const own = path.relative(src, file).split(path.sep);
    if (own.length < 2 || own[0].startsWith('..') || WIRING.has(own[0])) return {};
    const isEntity = file.endsWith('.entity.ts');
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.relative(src, path.resolve(path.dirname(file), source)).split(path.sep);
      const [module, ...rest] = target;
      if (module.startsWith('..') || module === own[0] || OPEN_TO_ALL.has(module) || rest.length === 0) return;
      const inside = rest.join('/');
      if (PUBLIC_FILE.test(inside)) return;
      if (isEntity && inside.endsWith('.entity')) return;
      context.report({ node, messageId: 'private', data: { target: target.join('/'), module } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'eslint.config.mjs', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { lms: { rules: { 'module-boundaries': moduleBoundaries } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { disallowTypeAnnotations: false, fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      'no-console': 'error',
      'lms/module-boundaries': 'error',
    },
  },
  {
    // The pages' own scripts: plain browser JavaScript sent as written (no build step, no types).
    files: ['templates/pages/static/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'script',
      ecmaVersion: 2017,
      globals: { ...globals.browser },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      'no-console': 'error',
      // ES2017 has no `catch {}` without a binding.
      '@typescript-eslint/no-unused-vars': ['error', { caughtErrors: 'none' }],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      // supertest bodies are `any`; the assertions check their shape.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      'no-console': 'off',
    },
  },
  prettier,
);
