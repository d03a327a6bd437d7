"""Request and response bodies of the API, one module per router, for OpenAPI and clients."""
