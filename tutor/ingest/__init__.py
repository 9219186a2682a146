"""Ingestion: Markdown notes to chunks, vectors and a concept graph."""
