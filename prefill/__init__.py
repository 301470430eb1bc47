"""办: shared-data sources, consent, merged forms, pre-fill with provenance, confirmation, fan-out,
documents and the audit log. Start at `prefill.service.PrefillService`; see docs/prefill.md."""
