"""Plan workbooks: the spreadsheet (XLSX, or a folder of CSV files) officers write plans in.

mappings/plan-workbook.json declares the sheets, their columns and the RDF each column maps to;
this package reads and writes workbooks by that declaration.
"""
