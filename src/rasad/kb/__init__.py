"""Knowledge base: entities and aliases loaded from versioned data files."""

from rasad.kb.loader import KnowledgeBase, load_kb

__all__ = ["KnowledgeBase", "load_kb"]
