"""The stores: the interface every backend gives, the embedded on-disk Oxigraph store, the remote
SPARQL 1.1 store, and how a new build is committed and recovered."""
