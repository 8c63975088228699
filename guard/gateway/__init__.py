"""The Clampd gateway: the guard's second opinion (DESIGN.md section 3).

One module per job: ``wire`` (request bodies, response parsing), ``auth``
(employee token or minted agent JWT, on-disk token cache), ``keystore`` (the
OS keyring, imported only when a secret is really needed), ``breaker`` (the
cross-process circuit breaker), ``client`` (the HTTP exchange, httpx imported
lazily) and ``consult`` (all of them for one hook call). Nothing here is
imported when no ``gateway_url`` is configured.
"""
