"""The API's routers, one module each: `public` (search, suggestions, providers,
vocabularies, health, who am I), `offerings`, `publishing` (a provider's feeds),
`crawling` (a provider's website), `agency`. The pages' routers are in search_api.pages.

Adding a route: declare it on the module's `router` with a `response_model` from
search_api.models and `responses=error_responses(...)` for the errors it can give; take
what it needs as parameters annotated with search_api.dependencies (`Backend`,
`CatalogueStore`, `Publishing`, `Agency`, ... for services; `CurrentKey`, `ProviderScope`,
`AgencyScope` for who may call). Raise the domain errors of catalogue.errors (or let the
services raise them); search_api.errors turns each into the one error shape. Work that
takes long or holds the CPU goes in a plain `def` route or `run_in_threadpool`, never in
an `async def` body. A new router module is included in search_api.app.create_app.
"""
