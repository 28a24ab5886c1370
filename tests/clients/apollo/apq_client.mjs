// Apollo Client 4 with its persisted query link (hashed queries over GET), as most
// production clients are set up. Asks one query and prints, as JSON, the data and
// every HTTP exchange it made: the test reads what the real client sent and got.
//
// usage: node apq_client.mjs GRAPHQL_URL
import { createHash } from "node:crypto";

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";

const QUERY = gql`
  query Volatile {
    mostVolatile(limit: 2) {
      ticker
      annualizedVolatility
    }
  }
`;
const KEPT_HEADERS = ["etag", "cache-control", "vary", "x-dataset-version", "content-type"];

const [url] = process.argv.slice(2);
const exchanges = [];

async function recordingFetch(input, init) {
  const response = await fetch(input, init);
  const body = await response.clone().text();
  exchanges.push({
    method: init?.method ?? "GET",
    url: String(input),
    requestBody: init?.body ?? null,
    status: response.status,
    headers: Object.fromEntries(KEPT_HEADERS.map((name) => [name, response.headers.get(name)])),
    body,
  });
  return response;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
  new HttpLink({ uri: url, fetch: recordingFetch }),
);
const client = new ApolloClient({ link, cache: new InMemoryCache() });
const result = await client.query({ query: QUERY, fetchPolicy: "network-only" });
process.stdout.write(JSON.stringify({ data: result.data, exchanges }));
