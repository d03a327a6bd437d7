"""The API's routers, one module each: `public` (search, suggestions, providers,
vocabularies, health, who am I), `offerings`, `publishing` (a provider's feeds),
`crawling` (a provider's website), `agency`. Routes take what they need as dependencies
(search_api.dependencies); none reaches for module state."""
