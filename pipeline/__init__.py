"""plandoc: annual development-plan notices (国民经济和社会发展计划) from files to schema, PDFs, workbooks, diffs.

Architecture: readers/ (file → blocks) → parse/ (blocks → schema) → render/ + templates/, track/, diff/, watch/.
"""
__version__ = "0.1.0"
