"""Statistical named-entity recognition: a CRF trained on ANERcorp, an optional Hugging Face backend,
and the pipeline stage that turns model spans the knowledge base lacks into discovered entities."""
