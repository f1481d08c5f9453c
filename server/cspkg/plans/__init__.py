"""Plans in and out: plan files in the data folder, intake from a workbook or Turtle, what an
upload may write and who may write it, StratML, year on year, and the workbook itself."""
