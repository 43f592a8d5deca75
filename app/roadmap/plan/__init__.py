"""The roadmap as the secretariat keeps it.

Outcomes and commitments, their staff API and back-office pages, and the spreadsheet.
"""
