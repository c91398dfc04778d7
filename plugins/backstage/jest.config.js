// Jest for gaggle's Backstage packages: TypeScript through swc, backend tests in node,
// the frontend plugin's tests in jsdom (plugins/gaggle). Backstage's frontend packages
// and many of their dependencies (react-markdown, unified, ...) ship ES modules only, so
// the frontend project transforms all of node_modules (swc is fast, and jest caches it).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } }, module: { type: 'commonjs' } }];
const esm = ['@backstage', '@material-ui', '@mui', '@remixicon', '@react-hookz', 'react-use', 'uuid', 'zod', 'linkify-react', 'linkifyjs'];
const common = {
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.mjs$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  moduleNameMapper: { '\\.(css|svg|png)$': '<rootDir>/jest.stub.js' },
};
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'backend', testEnvironment: 'node',
      testMatch: ['<rootDir>/plugins/{gaggle-common,scaffolder-backend-module-gaggle,gaggle-backend}/src/**/*.test.ts', '<rootDir>/e2e/**/*.test.ts'] },
    { ...common, displayName: 'frontend', testEnvironment: 'jsdom', transformIgnorePatterns: [],
      setupFilesAfterEnv: ['<rootDir>/jest.setup-frontend.js'],
      testMatch: ['<rootDir>/plugins/gaggle/src/**/*.test.tsx'] },
  ],
};
