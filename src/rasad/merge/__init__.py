"""The cross-article stage: near-duplicates, stories, merged events and relations (see :func:`merge_all`)."""

from rasad.merge.run import MergeOptions, MergeResult, article_input, merge_all

__all__ = ["MergeOptions", "MergeResult", "article_input", "merge_all"]
