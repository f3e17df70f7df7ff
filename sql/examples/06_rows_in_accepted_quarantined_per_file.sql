-- Every input file: rows in the file, accepted, quarantined, and whether they add up.
select source, file, rows_in_file, rows_accepted, rows_quarantined, balanced
from meta.reconciliation
order by source, file;
