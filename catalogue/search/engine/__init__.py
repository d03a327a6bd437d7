"""The Elasticsearch and OpenSearch backend: the backend and its rebuild strategy (backend),
one REST client for both engines and the two flavours' transports (client,
elasticsearch_client, opensearch_client), the index body (mapping), the query compiler
(query), the answers read back (results) and the agency statistics as aggregations (stats)."""
