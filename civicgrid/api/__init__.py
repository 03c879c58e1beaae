"""The REST API (/api/v1/): DRF wiring only. Every read goes through a domain selector and every
write through a domain service; this package turns HTTP into calls and results into JSON."""
