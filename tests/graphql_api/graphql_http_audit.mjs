// Runs graphql-http's server audit suite against a GraphQL endpoint and prints the
// results as JSON: node graphql_http_audit.mjs <graphql-http module dir> <url>
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [moduleDir, url] = process.argv.slice(2);
const { auditServer } = await import(pathToFileURL(join(moduleDir, 'lib', 'index.mjs')).href);
const results = await auditServer({ url });
console.log(JSON.stringify(results.map(({ id, name, status, reason }) => ({ id, name, status, reason }))));
