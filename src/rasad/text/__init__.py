"""Text stages: normalisation with offset maps, cleaning, sentences."""
