"""The pipeline's stages, one module each, in the order of DESIGN.md's flow."""
