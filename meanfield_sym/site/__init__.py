"""The documentation site, built from the derivation scripts, the activations and the CLI."""
