"""Partners' progress reports.

Reporting periods, the report page behind its link, evidence files, and review.
"""
