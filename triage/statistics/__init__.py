"""Statistics and reporting for one organisation: the aggregations (service), charts, the GIR export, the monthly
report and the anonymous national aggregate. One service feeds the page, the CLI and the report."""
