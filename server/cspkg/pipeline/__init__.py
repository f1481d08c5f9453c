"""The build pipeline: load the source files, reason (OWL 2 RL as SPARQL rules), validate (SHACL,
compiled to SPARQL), report, and replace one plan in a built store."""
