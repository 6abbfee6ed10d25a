"""The documents a publication carries: the matrix and unit sheets as PDF, the workbook."""
