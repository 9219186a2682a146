"""The concept graph: its data, the store port, and its adapters."""
