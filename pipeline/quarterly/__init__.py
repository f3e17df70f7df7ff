"""The municipality's quarterly report to Statsforvalteren: teams, KE, coordinators and PSFS
for one quarter, compared with the previous quarter and the same quarter last year, as one
self-contained HTML file and an Excel workbook, with small counts suppressed."""
