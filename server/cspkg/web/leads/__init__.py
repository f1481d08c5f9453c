"""Pages for strategy leads, one module per kind of page; `kit` holds what they share and
`registry` lists them all, for the crawl, the accessibility and phone tests and the benchmark."""
